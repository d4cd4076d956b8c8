import Foundation
import Histogram
import Testing

@testable import ClaimLoadReport

@Suite struct ReportWriterTests {
    /// Ten seconds of a spike: grants for three seconds, then sold out.
    func spike() -> LoadTimeline {
        var t = LoadTimeline()
        for second in 0..<10 {
            for i in 0..<100 {
                let outcome = second < 3 ? (i % 4 == 0 ? "granted" : "limit_reached") : "sold_out"
                t.record(
                    atNanoseconds: UInt64(second) * 1_000_000_000 + UInt64(i) * 1_000_000, outcome: outcome,
                    latencyNanoseconds: UInt64(1_000_000 + i * 10_000))
            }
        }
        return t
    }

    @Test func theTimelineFindsTheSellOut() {
        let t = spike()
        #expect(t.seconds.count == 10)
        #expect(t.sellOutSecond == 3)
        #expect(t.outcomeNames.first == "sold_out")
        #expect(t.seconds[0].percentileMilliseconds(99) > t.seconds[0].percentileMilliseconds(50))
    }

    /// Figures of the spike, as claimload makes them.
    func figures(_ t: LoadTimeline, thresholds: [LoadThreshold] = []) -> LoadFigures {
        // The seconds' precision (two digits): histograms add only into their own kind.
        var h = LoadTimeline.Second().latency
        for s in t.seconds { h.add(s.latency) }
        var f = LoadFigures(
            config: .init(
                scenario: "spike", urls: ["http://127.0.0.1:8080"], pools: ["p"], connections: 8, users: 10,
                repeatShare: 0, durationSeconds: 10, maxRequests: 1000, targetRate: 100, rampSeconds: 0,
                warmupSeconds: 0, idempotencyKeys: false, resendLost: 0, randomSeed: 1),
            latency: .init(h, also: [99.5]))
        f.sent = 1000
        f.answered = 1000
        f.releaseSecond = 0.5
        f.pools = [.init(name: "p", answered: 1000, outcomes: ["granted": 75, "sold_out": 700], latency: .init(h))]
        f.setTimeline(t)
        _ = f.check(thresholds)
        return f
    }

    /// Issue "Residents and SREs": results.json held sentences ("p50 0.676 ms, ..."), colours
    /// moved between reports, the x axis was the run's seconds, per-pool rows were missing.
    @Test func writesNumbersAnHGRMSVGsAndASelfContainedPage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = spike()
        let labels = (0..<10).map { "09:59:5\($0)" }
        let files = try ReportWriter().write(
            t,
            summary: .init(title: "spike", verdict: "PASS all good", figures: [("pools", "1")], secondLabels: labels),
            figures: figures(t, thresholds: [try LoadThreshold("p99<1s")]), hgrm: "Value Percentile\n", to: dir)
        #expect(
            Set(files.map { ($0 as NSString).lastPathComponent }) == [
                "throughput.svg", "latency.svg", "outcomes.svg", "percentiles.svg", "results.json", "latency.hgrm",
                "report.html",
            ])
        for f in files { #expect((try? Data(contentsOf: URL(fileURLWithPath: f)))?.isEmpty == false, "\(f)") }

        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
            as? [String: Any]
        let seconds = json?["seconds"] as? [[String: Any]]
        #expect(seconds?.count == 10)
        #expect((seconds?[0]["outcomes"] as? [String: Int])?["granted"] == 25)
        #expect(seconds?[0]["p99_ms"] as? Double != nil)
        #expect(json?["sell_out_second"] as? Int == 3)
        #expect(json?["sent"] as? Int == 1000)
        let latency = json?["latency"] as? [String: Any]
        let points = latency?["percentiles"] as? [[String: Any]]
        #expect(points?.contains { $0["percentile"] as? Double == 99.5 } == true)
        #expect((points?.first?["ms"] as? Double ?? 0) > 0)
        #expect((json?["thresholds"] as? [[String: Any]])?.first?["met"] as? Bool == true)
        #expect((json?["config"] as? [String: Any])?["target_rate"] as? Double == 100)
        #expect((json?["pools"] as? [[String: Any]])?.first?["name"] as? String == "p")

        let latencySVG = try String(contentsOfFile: dir + "/latency.svg", encoding: .utf8)
        #expect(latencySVG.components(separatedBy: "<polyline").count - 1 == 2)  // p50 and p99
        #expect(latencySVG.contains("sold out") && latencySVG.contains(">release<"))
        #expect(latencySVG.contains(">09:59:50<") && latencySVG.contains("the gateway's clock"))
        let outcomes = try String(contentsOfFile: dir + "/outcomes.svg", encoding: .utf8)
        for name in ["granted", "limit_reached", "sold_out"] { #expect(outcomes.contains(">\(name)<")) }
        #expect(outcomes.contains("stroke=\"\(ReportWriter.color(of: "granted"))\""))

        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)
        #expect(html.contains("PASS all good") && html.contains("By pool") && html.contains("p99&lt;1s"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
    }

    /// Green is granted in every report, whatever else the run saw and in whatever order.
    @Test func eachOutcomeKeepsItsColour() {
        #expect(ReportWriter.color(of: "granted") == "#2ca02c")
        #expect(ReportWriter.color(of: "redis_unavailable") != ReportWriter.color(of: "granted"))
        #expect(ReportWriter.color(of: "something_new") == ReportWriter.color(of: "something_new"))
        var a = LoadTimeline()
        var b = LoadTimeline()
        a.record(atNanoseconds: 0, outcome: "granted", latencyNanoseconds: 1)
        for _ in 0..<5 { b.record(atNanoseconds: 0, outcome: "sold_out", latencyNanoseconds: 1) }
        b.record(atNanoseconds: 0, outcome: "granted", latencyNanoseconds: 1)
        func grantedColour(_ t: LoadTimeline) -> String? {
            ReportWriter().charts(t, figures: figures(t), secondLabels: []).first { $0.file == "outcomes.svg" }?.chart
                .series.first { $0.name == "granted" }?.color
        }
        #expect(grantedColour(a) == grantedColour(b))
    }

    @Test func escapesWhatItIsGiven() {
        let chart = SVGChart(
            title: "<b>&", yLabel: "\"y\"", series: [.init(name: "<s>", color: "#000", values: [1, 2])])
        let svg = chart.render()
        #expect(svg.contains("&lt;b&gt;&amp;"))
        #expect(!svg.contains("<s>"))
    }
}

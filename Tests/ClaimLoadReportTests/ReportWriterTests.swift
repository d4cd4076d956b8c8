import Foundation
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

    @Test func writesJSONSVGsAndASelfContainedPage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try ReportWriter().write(
            spike(), summary: .init(title: "spike", verdict: "PASS all good", figures: [("pools", "1")]), to: dir)
        #expect(
            Set(files.map { ($0 as NSString).lastPathComponent }) == [
                "throughput.svg", "latency.svg", "outcomes.svg", "results.json", "report.html",
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

        let latency = try String(contentsOfFile: dir + "/latency.svg", encoding: .utf8)
        #expect(latency.contains("<svg"))
        #expect(latency.components(separatedBy: "<polyline").count - 1 == 2)  // p50 and p99
        #expect(latency.contains("sold out"))
        let outcomes = try String(contentsOfFile: dir + "/outcomes.svg", encoding: .utf8)
        for name in ["granted", "limit_reached", "sold_out"] { #expect(outcomes.contains(">\(name)<")) }

        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.contains("PASS all good"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
    }

    @Test func escapesWhatItIsGiven() {
        let chart = SVGChart(
            title: "<b>&", yLabel: "\"y\"", series: [.init(name: "<s>", color: "#000", values: [1, 2])])
        let svg = chart.render()
        #expect(svg.contains("&lt;b&gt;&amp;"))
        #expect(!svg.contains("<s>"))
    }
}

import Foundation

/// Writes a run's results to a folder: `results.json` (`LoadFigures`: every figure a number,
/// for machines), `latency.hgrm` (the HDR percentile distribution, as wrk2 and vegeta export
/// it, in milliseconds), one SVG per chart, and `report.html`, a self-contained page (the SVGs
/// inline, no scripts or links) for the people who read it.
public struct ReportWriter: Sendable {
    /// What the page shows above the charts.
    public struct Summary: Sendable {
        public var title: String
        public var verdict: String
        public var figures: [(String, String)]
        /// The gateway's clock at each second of the run (`09:59:58`), for the x axes.
        public var secondLabels: [String]

        public init(title: String, verdict: String, figures: [(String, String)], secondLabels: [String] = []) {
            self.title = title
            self.verdict = verdict
            self.figures = figures
            self.secondLabels = secondLabels
        }
    }

    /// One colour per outcome, the same in every report (green is always granted).
    static func color(of outcome: String) -> String {
        switch outcome {
        case "granted": "#2ca02c"
        case "replayed", "ok": "#98df8a"
        case "sold_out": "#1f77b4"
        case "limit_reached": "#ff7f0e"
        case "not_open": "#aec7e8"
        case "closed": "#7f7f7f"
        case "paused": "#9467bd"
        case "not_eligible": "#e377c2"
        case "rate_limited": "#8c564b"
        case "redis_unavailable": "#d62728"
        case "outcome_unknown": "#8b0000"
        case "internal_error": "#ff00ff"
        default: Self.spare[Int(outcome.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xffff }) % Self.spare.count]
        }
    }
    private static let spare = ["#17becf", "#bcbd22", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"]

    public init() {}

    /// The charts: throughput, p50/p99 latency and outcomes per second on the gateway's clock,
    /// with the release instant and the sell-out marked; and the run's latency by percentile.
    public func charts(_ t: LoadTimeline, figures: LoadFigures, secondLabels: [String]) -> [(
        file: String, chart: SVGChart
    )] {
        var markers: [(Double, String)] = []
        if let r = figures.releaseSecond { markers.append((r, "release")) }
        if let s = t.sellOutSecond { markers.append((Double(s), "sold out")) }
        let labels = secondLabels.isEmpty ? nil : secondLabels
        let axis = secondLabels.isEmpty ? "seconds into the run" : "the gateway's clock"
        let throughput = SVGChart(
            title: "Throughput", yLabel: "answers / s",
            series: [.init(name: "answers/s", color: "#1f77b4", values: t.seconds.map { Double($0.answered) })],
            markers: markers, xLabels: labels, xTitle: axis)
        let latency = SVGChart(
            title: "Latency per second", yLabel: "ms",
            series: [
                .init(name: "p50", color: "#1f77b4", values: t.seconds.map { $0.percentileMilliseconds(50) }),
                .init(name: "p99", color: "#d62728", values: t.seconds.map { $0.percentileMilliseconds(99) }),
            ], markers: markers, xLabels: labels, xTitle: axis)
        let outcomes = SVGChart(
            title: "Answers by outcome", yLabel: "answers / s",
            series: t.outcomeNames.prefix(10).map { name in
                .init(
                    name: name, color: Self.color(of: name),
                    values: t.seconds.map { Double($0.outcomes[name, default: 0]) })
            }, markers: markers, xLabels: labels, xTitle: axis)
        let points = figures.latency.percentiles
        let distribution = SVGChart(
            title: "Latency by percentile (whole run)", yLabel: "ms",
            series: [.init(name: "latency", color: "#d62728", values: points.map(\.ms) + [figures.latency.maxMs])],
            xLabels: points.map { "p" + Self.trimmed($0.percentile) } + ["max"], xTitle: "percentile")
        return [
            ("throughput.svg", throughput), ("latency.svg", latency), ("outcomes.svg", outcomes),
            ("percentiles.svg", distribution),
        ]
    }

    /// Writes everything into `directory` (created if needed); returns the files written.
    @discardableResult
    public func write(
        _ t: LoadTimeline, summary: Summary, figures: LoadFigures, hgrm: String, to directory: String
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        func save(_ name: String, _ text: String) throws {
            let path = (directory as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            written.append(path)
        }
        let charts = charts(t, figures: figures, secondLabels: summary.secondLabels)
        for (file, chart) in charts { try save(file, chart.render()) }
        try save("results.json", try Self.json(figures))
        try save("latency.hgrm", hgrm)
        try save("report.html", html(summary: summary, figures: figures, charts: charts.map { $0.chart.render() }))
        return written
    }

    /// `results.json`: the figures with snake_case keys, sorted.
    public static func json(_ figures: LoadFigures) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n"
    }

    func html(summary: Summary, figures: LoadFigures, charts: [String]) -> String {
        func e(_ s: String) -> String { SVGChart.escape(s) }
        let rows = summary.figures.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }
        let pass = summary.verdict.hasPrefix("PASS") && figures.thresholds.allSatisfy(\.met)
        func groupRow(_ g: LoadFigures.Group) -> String {
            let outcomes = g.outcomes.sorted { $0.value > $1.value }.map {
                "<span style=\"color:\(Self.color(of: $0.key))\">\(e($0.key)) \($0.value)</span>"
            }
            return
                "<tr><th>\(e(g.name))</th><td>\(g.answered)</td><td>\(Self.ms(g.latency.milliseconds(atPercentile: 50)))</td>"
                + "<td>\(Self.ms(g.latency.milliseconds(atPercentile: 99)))</td><td>\(outcomes.joined(separator: ", "))</td></tr>"
        }
        let groups = figures.pools + (figures.redemptions.map { [$0] } ?? [])
        let groupTable =
            groups.isEmpty
            ? ""
            : "<h2>By pool</h2><table><tr><th></th><th>answers</th><th>p50 ms</th><th>p99 ms</th><th>outcomes</th></tr>"
                + groups.map(groupRow).joined(separator: "\n") + "</table>"
        let thresholds = figures.thresholds.map {
            "<tr><th>\(e($0.threshold))</th><td>\(e($0.shown))</td><td>\($0.met ? "met" : "MISSED")</td></tr>"
        }
        let phases = figures.phases.map {
            // An empty phase (no sell-out in the run) has no latencies to show.
            guard $0.answered > 0 else { return "<tr><th>\($0.name)</th><td colspan=\"6\">no answers</td></tr>" }
            return "<tr><th>\($0.name)</th><td>s \($0.firstSecond)-\($0.endSecond - 1)</td><td>\($0.answered)</td>"
                + "<td>\(Self.ms($0.p50Ms))</td><td>\(Self.ms($0.p99Ms))</td><td>\(Self.ms($0.p999Ms))</td>"
                + "<td>\(Self.ms($0.worstSecondP99Ms))</td></tr>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(summary.title))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 820px; }
            table { border-collapse: collapse; margin: 12px 0 20px; }
            th, td { text-align: left; padding: 3px 12px 3px 0; vertical-align: top; }
            .verdict { padding: 8px 12px; font-weight: bold; background: \(pass ? "#e6f4ea" : "#fce8e6"); }
            figure { margin: 0 0 24px; }
            </style></head><body>
            <h1>\(e(summary.title))</h1>
            <p class="verdict">\(e(summary.verdict))</p>
            \(thresholds.isEmpty ? "" : "<h2>Thresholds</h2><table>\(thresholds.joined(separator: "\n"))</table>")
            <table>\(rows.joined(separator: "\n"))</table>
            \(groupTable)
            <h2>Phases of the spike</h2>
            <table><tr><th></th><th>seconds</th><th>answers</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>worst second's p99</th></tr>
            \(phases.joined(separator: "\n"))</table>
            \(charts.map { "<figure>\($0)</figure>" }.joined(separator: "\n"))
            <p>\(figures.seconds.count) seconds; \(figures.sellOutSecond.map { "sold out in second \($0)" } ?? "no sell-out seen").
            A <code>sold_out</code> before the last grant is not an error: a split pool's emptied segment, or
            answers read out of order across connections.</p>
            </body></html>

            """
    }

    static func ms(_ v: Double) -> String { String(format: "%.3f", v) }

    static func trimmed(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v)
    }
}

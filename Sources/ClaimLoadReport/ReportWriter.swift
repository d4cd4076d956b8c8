import Foundation

/// Writes a run's results to a folder: `results.json` (everything, for machines), one SVG per
/// chart, and `report.html`, a self-contained page (the SVGs inline, no scripts or links).
public struct ReportWriter: Sendable {
    /// Figures of the whole run shown above the charts and saved in the JSON.
    public struct Summary: Sendable {
        public var title: String
        public var verdict: String
        public var figures: [(String, String)]

        public init(title: String, verdict: String, figures: [(String, String)]) {
            self.title = title
            self.verdict = verdict
            self.figures = figures
        }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    public init() {}

    /// The charts of a timeline: throughput, p50/p99 latency, outcomes; the sell-out marked.
    public func charts(_ t: LoadTimeline) -> [(file: String, chart: SVGChart)] {
        let markers = t.sellOutSecond.map { [(Double($0), "sold out")] } ?? []
        let throughput = SVGChart(
            title: "Throughput", yLabel: "answers / s",
            series: [.init(name: "answers/s", color: Self.palette[0], values: t.seconds.map { Double($0.answered) })],
            markers: markers)
        let latency = SVGChart(
            title: "Latency", yLabel: "ms",
            series: [
                .init(name: "p50", color: Self.palette[0], values: t.seconds.map { $0.percentileMilliseconds(50) }),
                .init(name: "p99", color: Self.palette[1], values: t.seconds.map { $0.percentileMilliseconds(99) }),
            ], markers: markers)
        let outcomes = SVGChart(
            title: "Answers by outcome", yLabel: "answers / s",
            series: t.outcomeNames.prefix(Self.palette.count).enumerated().map { i, name in
                .init(
                    name: name, color: Self.palette[i], values: t.seconds.map { Double($0.outcomes[name, default: 0]) })
            }, markers: markers)
        return [("throughput.svg", throughput), ("latency.svg", latency), ("outcomes.svg", outcomes)]
    }

    /// Writes everything into `directory` (created if needed); returns the files written.
    @discardableResult
    public func write(_ t: LoadTimeline, summary: Summary, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        func save(_ name: String, _ text: String) throws {
            let path = (directory as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            written.append(path)
        }
        let charts = charts(t)
        for (file, chart) in charts { try save(file, chart.render()) }
        try save("results.json", try json(t, summary: summary))
        try save("report.html", html(summary: summary, charts: charts.map { $0.chart.render() }, timeline: t))
        return written
    }

    func json(_ t: LoadTimeline, summary: Summary) throws -> String {
        let doc: [String: Any] = [
            "title": summary.title,
            "verdict": summary.verdict,
            "figures": Dictionary(summary.figures, uniquingKeysWith: { a, _ in a }),
            "sell_out_second": t.sellOutSecond as Any? ?? NSNull(),
            "phases": Dictionary(
                uniqueKeysWithValues: [
                    ("before", t.phases.before), ("during", t.phases.during), ("after", t.phases.after),
                ]
                .map { name, p in
                    (
                        name,
                        [
                            "first_second": p.seconds.lowerBound, "end_second": p.seconds.upperBound,
                            "answered": p.answered, "p50_ms": p.percentileMilliseconds(50),
                            "p99_ms": p.percentileMilliseconds(99), "p999_ms": p.percentileMilliseconds(99.9),
                        ] as [String: Any]
                    )
                }),
            "seconds": t.seconds.enumerated().map { i, s in
                [
                    "second": i, "answered": s.answered, "outcomes": s.outcomes,
                    "p50_ms": s.percentileMilliseconds(50), "p99_ms": s.percentileMilliseconds(99),
                ] as [String: Any]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func html(summary: Summary, charts: [String], timeline t: LoadTimeline) -> String {
        let rows = summary.figures.map { "<tr><th>\(SVGChart.escape($0.0))</th><td>\(SVGChart.escape($0.1))</td></tr>" }
        let pass = summary.verdict.hasPrefix("PASS")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(summary.title))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 820px; }
            table { border-collapse: collapse; margin: 12px 0 20px; }
            th, td { text-align: left; padding: 3px 12px 3px 0; vertical-align: top; }
            .verdict { padding: 8px 12px; font-weight: bold; background: \(pass ? "#e6f4ea" : "#fce8e6"); }
            figure { margin: 0 0 24px; }
            </style></head><body>
            <h1>\(SVGChart.escape(summary.title))</h1>
            <p class="verdict">\(SVGChart.escape(summary.verdict))</p>
            <table>\(rows.joined(separator: "\n"))</table>
            \(charts.map { "<figure>\($0)</figure>" }.joined(separator: "\n"))
            <p>\(t.seconds.count) seconds; \(t.sellOutSecond.map { "sold out in second \($0)" } ?? "no sell-out seen").</p>
            </body></html>

            """
    }
}

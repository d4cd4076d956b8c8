import Foundation

/// A small self-contained SVG line chart: time on x, one or more series on y, optional
/// vertical markers (the sell-out moment). No scripts, no external fonts or styles.
public struct SVGChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let color: String
        public let values: [Double]

        public init(name: String, color: String, values: [Double]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    public let title: String
    public let yLabel: String
    public var series: [Series]
    /// (x position in seconds, label)
    public var markers: [(Double, String)]
    /// A label per x position (the gateway's clock, percentiles); nil: the index.
    public var xLabels: [String]?
    public var xTitle: String
    public let width = 760.0
    public let height = 300.0

    public init(
        title: String, yLabel: String, series: [Series], markers: [(Double, String)] = [], xLabels: [String]? = nil,
        xTitle: String = "seconds into the run"
    ) {
        self.title = title
        self.yLabel = yLabel
        self.series = series
        self.markers = markers
        self.xLabels = xLabels
        self.xTitle = xTitle
    }

    public func render() -> String {
        let left = 70.0, right = 150.0, top = 36.0, bottom = 44.0
        let plotW = width - left - right, plotH = height - top - bottom
        let n = max(1, series.map(\.values.count).max() ?? 1)
        let yMax = Self.niceCeiling(series.flatMap(\.values).max() ?? 1)
        func x(_ i: Double) -> Double { left + (n <= 1 ? 0 : i / Double(n - 1) * plotW) }
        func y(_ v: Double) -> Double { top + plotH - (yMax == 0 ? 0 : v / yMax * plotH) }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="20" font-size="15" font-weight="bold">\(Self.escape(title))</text>
            <text x="14" y="\(top + plotH / 2)" transform="rotate(-90 14 \(top + plotH / 2))" text-anchor="middle">\(Self.escape(yLabel))</text>

            """
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            out += "<line x1=\"\(left)\" y1=\"\(y(v))\" x2=\"\(left + plotW)\" y2=\"\(y(v))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(Self.format(v))</text>\n"
        }
        let step = max(1, n / (xLabels == nil ? 10 : 7))
        for i in stride(from: 0, to: n, by: step) {
            let label = xLabels.map { $0.indices.contains(i) ? $0[i] : "" } ?? String(i)
            out +=
                "<text x=\"\(x(Double(i)))\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(Self.escape(label))</text>"
        }
        out +=
            "<text x=\"\(left + plotW / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(Self.escape(xTitle))</text>\n"
        out +=
            "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#888\"/>\n"
        for (at, label) in markers {
            out +=
                "<line x1=\"\(x(at))\" y1=\"\(top)\" x2=\"\(x(at))\" y2=\"\(top + plotH)\" stroke=\"#c00\" stroke-dasharray=\"5,4\"/>"
            out += "<text x=\"\(x(at) + 4)\" y=\"\(top + 14)\" fill=\"#c00\">\(Self.escape(label))</text>\n"
        }
        for (k, s) in series.enumerated() {
            let points = s.values.enumerated().map {
                "\(Self.format2(x(Double($0.offset)))),\(Self.format2(y($0.element)))"
            }
            out +=
                "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            let ly = top + 14 + Double(k) * 18
            out += "<rect x=\"\(left + plotW + 12)\" y=\"\(ly - 9)\" width=\"12\" height=\"3\" fill=\"\(s.color)\"/>"
            out += "<text x=\"\(left + plotW + 30)\" y=\"\(ly - 4)\">\(Self.escape(s.name))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= v { magnitude *= 10 }
        while magnitude > v { magnitude /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }

    static func format(_ v: Double) -> String {
        v >= 100 || v == v.rounded() ? String(Int(v.rounded())) : String(Double(Int(v * 100)) / 100)
    }

    static func format2(_ v: Double) -> String { String(Double(Int(v * 100)) / 100) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

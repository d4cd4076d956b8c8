/// A pass mark for a load run, as an SRE writes it on the command line:
/// `p99<10ms`, `p99.9<=25ms`, `max<1s`, `p50<800us`, `error_rate<0.1%`, `rate>=30000`.
/// Latency thresholds read the run's percentiles, `error_rate` the share of sent requests that
/// ended in a socket error, a 5xx or no answer, and `rate` the achieved answers per second.
/// Checked beside the correctness verdict: a run that sold exactly right but too slowly fails.
public struct LoadThreshold: Hashable, Sendable, CustomStringConvertible {
    public enum Metric: Hashable, Sendable {
        /// A latency percentile (0 < p <= 100); `max` is 100.
        case latency(percentile: Double)
        case errorRate
        case rate
    }

    public enum Comparison: String, Hashable, Sendable {
        case below = "<"
        case atMost = "<="
        case above = ">"
        case atLeast = ">="
    }

    public let metric: Metric
    public let comparison: Comparison
    /// Milliseconds for latency, a fraction (0...1) for the error rate, answers/s for the rate.
    public let bound: Double
    /// As written.
    public let text: String

    /// Why a threshold could not be read, naming the text.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(_ text: String) throws(ParseError) {
        let s = text.filter { $0 != " " }
        func fail(_ why: String) -> ParseError { ParseError(description: "--threshold '\(text)': \(why)") }
        guard let opStart = s.firstIndex(where: { "<>".contains($0) }) else {
            throw fail("expected NAME<VALUE or NAME>VALUE (p99<10ms, error_rate<0.1%, rate>=30000)")
        }
        let name = String(s[..<opStart]).lowercased()
        var rest = s[opStart...]
        let op: Comparison
        if rest.hasPrefix("<=") {
            op = .atMost
        } else if rest.hasPrefix(">=") {
            op = .atLeast
        } else if rest.hasPrefix("<") {
            op = .below
        } else {
            op = .above
        }
        rest = rest.dropFirst(op.rawValue.count)
        let value = String(rest)
        switch name {
        case "error_rate", "errors":
            let percent = value.hasSuffix("%")
            guard let v = Double(percent ? String(value.dropLast()) : value), v >= 0 else {
                throw fail("the error rate is a number or a percentage (0.1%)")
            }
            let fraction = percent ? v / 100 : v
            guard fraction <= 1 else { throw fail("an error rate is at most 100%") }
            metric = .errorRate
            bound = fraction
        case "rate", "throughput":
            guard let v = Double(value.hasSuffix("/s") ? String(value.dropLast(2)) : value), v >= 0 else {
                throw fail("the rate is answers per second (30000)")
            }
            metric = .rate
            bound = v
        default:
            let percentile: Double
            if name == "max" {
                percentile = 100
            } else if name.hasPrefix("p"), let p = Double(name.dropFirst()), p > 0, p <= 100 {
                percentile = p
            } else {
                throw fail("unknown measure \(name): use p50, p90, p99, p99.9, max, error_rate or rate")
            }
            guard let ms = Self.milliseconds(value) else { throw fail("a latency needs a unit: 800us, 10ms, 1s") }
            metric = .latency(percentile: percentile)
            bound = ms
        }
        comparison = op
        self.text = text
    }

    /// `10ms`, `800us`, `1.5s` in milliseconds.
    static func milliseconds(_ v: String) -> Double? {
        for (unit, scale) in [("ms", 1.0), ("us", 0.001), ("µs", 0.001), ("s", 1000.0)] where v.hasSuffix(unit) {
            guard let n = Double(v.dropLast(unit.count)), n >= 0 else { return nil }
            return n * scale
        }
        return nil
    }

    /// What the run measured for this threshold, in its unit.
    public func measured(in figures: LoadFigures) -> Double {
        switch metric {
        case .latency(let p): figures.latency.milliseconds(atPercentile: p)
        case .errorRate: figures.errorRate
        case .rate: figures.achievedRate
        }
    }

    /// Whether the run met it.
    public func isMet(by figures: LoadFigures) -> Bool {
        let v = measured(in: figures)
        switch comparison {
        case .below: return v < bound
        case .atMost: return v <= bound
        case .above: return v > bound
        case .atLeast: return v >= bound
        }
    }

    /// `p99 < 10 ms: 7.310 ms, met` or `... MISSED`.
    public func line(for figures: LoadFigures) -> String {
        "threshold \(text): \(shown(measured(in: figures))), " + (isMet(by: figures) ? "met" : "MISSED")
    }

    /// A measured value in this threshold's unit, for people: `7.31 ms`, `0.02%`, `29950/s`.
    public func shown(_ v: Double) -> String {
        switch metric {
        case .latency: formatted(v, 3) + " ms"
        case .errorRate: formatted(v * 100, 4) + "%"
        case .rate: formatted(v, 0) + "/s"
        }
    }

    public var description: String { text }

    private func formatted(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return digits == 0 ? String(Int(r)) : String(r)
    }
}

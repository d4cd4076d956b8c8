import Histogram

/// A load run second by second: answers by outcome and their latencies, for the live progress
/// line and the report's charts.
public struct LoadTimeline: Codable, Sendable {
    /// One second of the run.
    public struct Second: Codable, Sendable {
        public var answered = 0
        public var outcomes: [String: Int] = [:]
        public var latency = Histogram<UInt64>(
            highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)

        public func percentileMilliseconds(_ p: Double) -> Double {
            answered == 0 ? 0 : Double(latency.valueAtPercentile(p)) / 1e6
        }
    }

    public private(set) var seconds: [Second] = []
    /// At most this many seconds are kept (runs are bounded at 600 s; one more for the tail).
    public static let maxSeconds = 3600

    public init() {}

    /// Records one answer `atNanoseconds` after the run started.
    public mutating func record(atNanoseconds t: UInt64, outcome: String, latencyNanoseconds: UInt64) {
        let s = Int(t / 1_000_000_000)
        guard s < Self.maxSeconds else { return }
        while seconds.count <= s { seconds.append(Second()) }
        seconds[s].answered += 1
        seconds[s].outcomes[outcome, default: 0] += 1
        _ = seconds[s].latency.record(latencyNanoseconds)
    }

    /// Another timeline of the same run added second by second (a distributed run's workers,
    /// started at one instant): histograms are added, never their percentiles averaged.
    public mutating func merge(_ other: LoadTimeline) {
        while seconds.count < other.seconds.count { seconds.append(Second()) }
        for (i, s) in other.seconds.enumerated() {
            seconds[i].answered += s.answered
            seconds[i].outcomes.merge(s.outcomes, uniquingKeysWith: +)
            seconds[i].latency.add(s.latency)
        }
    }

    /// The first `n` seconds only (drop a partial last second before charting it).
    public func prefix(seconds n: Int) -> LoadTimeline {
        var t = self
        t.seconds = Array(seconds.prefix(max(0, n)))
        return t
    }

    /// Every outcome seen, most frequent first.
    public var outcomeNames: [String] {
        var totals: [String: Int] = [:]
        for s in seconds { for (k, v) in s.outcomes { totals[k, default: 0] += v } }
        return totals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    /// A stretch of the run, its seconds' latencies merged: percentiles over every answer in it,
    /// not the worst of its seconds'.
    public struct Phase: Sendable {
        public let seconds: Range<Int>
        public let answered: Int
        let latency: Histogram<UInt64>

        public func percentileMilliseconds(_ p: Double) -> Double {
            answered == 0 ? 0 : Double(latency.valueAtPercentile(p)) / 1e6
        }
    }

    /// The 10:00 spike's three phases: before the first grant, from it to the sell-out second,
    /// and after. With no grant everything is `before`; with no sell-out nothing is `after`.
    public var phases: (before: Phase, during: Phase, after: Phase) {
        let n = seconds.count
        let first = seconds.firstIndex { $0.outcomes["granted", default: 0] > 0 } ?? n
        let end = sellOutSecond.map { $0 + 1 } ?? n
        return (phase(0..<first), phase(first..<max(first, end)), phase(max(first, end)..<n))
    }

    private func phase(_ r: Range<Int>) -> Phase {
        var merged = Second().latency
        var answered = 0
        for s in seconds[r] {
            merged.add(s.latency)
            answered += s.answered
        }
        return Phase(seconds: r, answered: answered, latency: merged)
    }

    /// The first second with a `sold_out` answer after a grant: when the stock ran out.
    public var sellOutSecond: Int? {
        guard let firstGrant = seconds.firstIndex(where: { $0.outcomes["granted", default: 0] > 0 }) else { return nil }
        return seconds[firstGrant...].firstIndex { $0.outcomes["sold_out", default: 0] > 0 }
    }
}

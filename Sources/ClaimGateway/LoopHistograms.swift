import Prometheus
import Synchronization

/// The gateway's histograms (claim latency, Redis round trip, pipeline depth, claims per call),
/// one `LoopHistogram` per loop per metric, summed when `GET /metrics` is read and written in
/// the exposition as swift-prometheus writes its own (same names, `le` bounds and sums), so
/// every reader (Prometheus, the dashboard, promtool, the scripts) sees one histogram per metric.
/// Shared by the loops of one gateway through `GatewayConfig`; its lock is taken when a loop
/// starts and when the exposition is written, never per sample.
public final class LoopHistograms: Sendable {
    /// How a histogram's values read: durations in nanoseconds, written in seconds; or values.
    enum Kind: Sendable {
        case duration
        case value
    }

    private struct Family: Sendable {
        let name: String
        let kind: Kind
        let bounds: [Int64]
        var loops: [LoopHistogram]
    }

    private let families = Mutex<[Family]>([])

    public init() {}

    /// A new loop's histogram for `name` (made the first time with `bounds`).
    func make(_ name: String, _ kind: Kind, bounds: [Int64]) -> LoopHistogram {
        families.withLock { families in
            if let i = families.firstIndex(where: { $0.name == name }) {
                let h = LoopHistogram(bounds: families[i].bounds)
                families[i].loops.append(h)
                return h
            }
            let h = LoopHistogram(bounds: bounds)
            families.append(Family(name: name, kind: kind, bounds: bounds, loops: [h]))
            return h
        }
    }

    /// Every histogram, the loops' counts summed, in the text exposition format.
    func emit(into out: inout [UInt8]) {
        let snapshot = families.withLock { $0 }
        for family in snapshot {
            var buckets = [Int64](repeating: 0, count: family.bounds.count + 1)
            var sum: Int64 = 0
            var count: Int64 = 0
            for loop in family.loops {
                let r = loop.read()
                for i in buckets.indices { buckets[i] &+= r.buckets[i] }
                sum &+= r.sum
                count &+= r.count
            }
            var text = "# TYPE \(family.name) histogram\n"
            var cumulative: Int64 = 0
            for (i, bound) in family.bounds.enumerated() {
                cumulative &+= buckets[i]
                text += "\(family.name)_bucket{le=\"\(Self.written(bound, family.kind))\"} \(cumulative)\n"
            }
            text += "\(family.name)_bucket{le=\"+Inf\"} \(count)\n"
            text += "\(family.name)_sum \(Self.written(sum, family.kind))\n"
            text += "\(family.name)_count \(count)\n"
            out.append(contentsOf: text.utf8)
        }
    }

    /// As swift-prometheus writes a bound or a sum: seconds for a duration, else a Double.
    private static func written(_ v: Int64, _ kind: Kind) -> String {
        switch kind {
        case .duration: Duration.nanoseconds(v).bucketRepresentation
        case .value: Double(v).bucketRepresentation
        }
    }
}

/// How to even out a split pool's leftover stock across its segments: segments above their
/// even share give the excess, those below receive it. Takes come first and are capped by
/// Redis at what is left when they run (claims keep arriving), so the gives are computed from
/// what was actually taken: stock can only be under-released by a move, never over-released.
public struct SegmentRebalance: Hashable, Sendable {
    /// `left` per segment when the plan was made.
    public let left: [Int]

    public init(left: [Int]) { self.left = left }

    /// Each segment's even share of everything left (the first `total % K` get one more).
    public var targets: [Int] {
        let total = left.reduce(0, +)
        let k = max(1, left.count)
        return left.indices.map { total / k + ($0 < total % k ? 1 : 0) }
    }

    /// Stock to take from each segment above its target (segment index, amount > 0).
    public var takes: [(segment: Int, amount: Int)] {
        zip(left.indices, zip(left, targets)).compactMap { i, lt in lt.0 > lt.1 ? (i, lt.0 - lt.1) : nil }
    }

    /// Where `taken` goes: to the segments below their target, up to each one's deficit, in
    /// order; anything beyond every deficit goes to the last of them.
    public func gives(taken: Int) -> [(segment: Int, amount: Int)] {
        var remaining = taken
        var out: [(segment: Int, amount: Int)] = []
        let short = zip(left.indices, zip(left, targets)).filter { $0.1.0 < $0.1.1 }
        for (i, lt) in short where remaining > 0 {
            let amount = min(remaining, lt.1 - lt.0)
            out.append((i, amount))
            remaining -= amount
        }
        if remaining > 0 {
            if let last = out.indices.last {
                out[last].amount += remaining
            } else if let first = left.indices.first {
                out.append((first, remaining))
            }
        }
        return out
    }
}

/// One segment of a pool whose stock is split K ways so that one hot pool spreads over K
/// Redis Cluster shards. A person always claims in the same segment (chosen by hashing the
/// person), so their per-window limit, their wallet and their programme use limit live in one
/// segment and each claim stays one atomic script. A window's quota is split evenly.
///
/// The cost is the tail: a segment can run dry while others still have stock, and the people
/// hashed to it are told `sold_out` early; `claimctl rebalance` moves leftover stock between
/// segments (never raising any segment's `granted + left` above its `released`).
public struct PoolSegment: Hashable, Sendable {
    public let pool: Pool
    /// 0..<pool.segmentCount
    public let index: Int

    public init(pool: Pool, index: Int) {
        self.pool = pool
        self.index = index
    }

    /// The id the segment's keys are tagged with and its vouchers are named by: the pool id
    /// itself when the pool is not split, else `<pool>.s<index>`.
    public var storageID: String { pool.segmentCount == 1 ? pool.id : "\(pool.id).s\(index)" }

    /// This segment's share of `total` (the first `total % K` segments get one more).
    public func share(of total: Int) -> Int {
        let k = pool.segmentCount
        return total / k + (index < total % k ? 1 : 0)
    }
}

extension Pool {
    /// The segment `person` claims in: FNV-1a of the person id, so every gateway agrees.
    public func segment(of person: String) -> PoolSegment {
        guard segmentCount > 1 else { return PoolSegment(pool: self, index: 0) }
        return PoolSegment(pool: self, index: Int(FNV1a.hash(person.utf8) % UInt64(segmentCount)))
    }

    public var segments: [PoolSegment] { (0..<segmentCount).map { PoolSegment(pool: self, index: $0) } }
}

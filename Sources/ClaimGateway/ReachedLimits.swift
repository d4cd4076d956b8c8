import ClaimCore

/// The people Redis told this loop hold the most that a pool's current window allows them
/// (`limit_reached`, or a grant where the limit is one). Their further taps in that window
/// without an `Idempotency-Key` are answered `limit_reached` by the gateway itself, with no Redis
/// round trip: at 10:00 a resident taps again and again, and after the grant every one of those
/// taps gets this answer, which rules.md asks to be among the cheapest.
///
/// A mark is knowledge, not a guess: a person's claims in a window only grow (reverse.lua gives a
/// voucher's use back, never a claim; reset.lua restocks without taking a grant back), and a
/// pool's limit cannot change while one of its windows is open (`PoolShapes`). So claim.lua would
/// refuse a marked person for the rest of the window, unless a check it makes before the limit
/// answers first: stock gone (`SoldOutMarks` are asked before this) or a pause (`forget` drops a
/// pool's marks when Redis answers `paused`; until then the answer is `limit_reached`, as true).
///
/// Redis is the judge again after a reconnect or a new cluster slot map (`forgetAll`): a Redis
/// that restarted, or a replica promoted after its master died (replication is asynchronous),
/// may have lost the last grants it answered.
///
/// Bounded by `capacity` people a loop: past it a mark is not kept (after the marks of closed
/// windows are dropped) and that person's taps go to Redis, as before.
struct ReachedLimits {
    /// One pool's marks, all for one window.
    private struct PoolMarks {
        var opensAt: Int64 = 0
        var closesAt: Int64 = 0
        var people: Set<String> = []
    }
    private var pools: [PoolMarks]
    let capacity: Int
    /// People marked, over every pool.
    private(set) var count = 0

    init(pools: Int, capacity: Int) {
        self.pools = Array(repeating: PoolMarks(), count: pools)
        self.capacity = capacity
    }

    /// `person` is known to hold the most pool `pool` allows in `window`.
    func covers(pool: Int, person: String, window: ReleaseWindow) -> Bool {
        let p = pools[pool]
        return !p.people.isEmpty && p.opensAt == window.opensAt.unixMilliseconds
            && p.closesAt == window.closesAt.unixMilliseconds && p.people.contains(person)
    }

    /// Redis said `person` holds the most pool `pool` allows in `window`. A mark for an earlier
    /// window than the one marked (a late reply across a window boundary) changes nothing; one
    /// for a later window drops the earlier window's marks.
    mutating func mark(pool: Int, person: String, window: ReleaseWindow, now: Instant) {
        guard capacity > 0 else { return }
        let opensAt = window.opensAt.unixMilliseconds
        if opensAt != pools[pool].opensAt {
            guard opensAt > pools[pool].opensAt else { return }
            forget(pool: pool)
            pools[pool].opensAt = opensAt
            pools[pool].closesAt = window.closesAt.unixMilliseconds
        }
        if count >= capacity {
            for i in pools.indices where pools[i].closesAt <= now.unixMilliseconds { forget(pool: i) }
            guard count < capacity else { return }
        }
        if pools[pool].people.insert(person).inserted { count += 1 }
    }

    /// Drops every mark.
    mutating func forgetAll() {
        for i in pools.indices { forget(pool: i) }
    }

    /// Drops pool `pool`'s marks: Redis answered `paused` for it (a refusal claim.lua makes
    /// before the limit), or its window moved on.
    mutating func forget(pool: Int) {
        count -= pools[pool].people.count
        // The next window's people are about as many: keep the table's room.
        pools[pool].people.removeAll(keepingCapacity: true)
    }
}

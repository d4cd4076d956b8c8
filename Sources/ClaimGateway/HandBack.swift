import Synchronization

/// Things one thread makes for another, and the ones the other has used, on their way back to
/// be freed by their maker: a free on another thread can wait on the maker's malloc arena (held
/// by a thread preempted inside its allocations; RESULTS.md, seventh session). The arrays go
/// back and forth and are reused. Not thread-safe: its owner keeps it under a lock.
struct HandBack<Item> {
    /// Made, not taken yet.
    var fresh: [Item] = []
    /// Taken and used, for the maker to free.
    var spent: [Item] = []

    /// The taker's side: what `batch` holds (used) goes back to the maker, and the fresh ones
    /// come into it. No item is freed here: `spent` holds each one.
    mutating func exchange(_ batch: inout [Item]) {
        if spent.isEmpty {
            swap(&spent, &batch)
        } else {
            // The maker has not collected the last ones yet: these join them.
            spent.append(contentsOf: batch)
            batch.removeAll(keepingCapacity: true)
        }
        swap(&fresh, &batch)
    }
}

extension Mutex {
    /// `HandBack.exchange` if the lock is free at this instant; false (and `batch` as it was)
    /// if the maker holds it: the taker never waits.
    func tryExchange<Item: Sendable>(_ batch: inout [Item]) -> Bool where Value == HandBack<Item> {
        var mine = batch
        batch = []
        let taken =
            withLockIfAvailable { h in
                h.exchange(&mine)
                return true
            } ?? false
        batch = mine
        return taken
    }
}

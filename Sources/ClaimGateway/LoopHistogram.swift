import Synchronization

/// One loop's share of a histogram (`LoopHistograms`): written by that loop alone, read by
/// whichever loop answers `GET /metrics`. swift-prometheus's histogram is one object for the
/// whole process with a lock taken per sample, so the loops waited on each other's samples
/// (glibc `__lll_lock_wait` under `GatewayMetrics.claim` in a traced spike: RESULTS.md, eighth
/// session); here nothing is shared but the reads.
///
/// One writer, so a sample is a relaxed load and store per counter: no lock, no
/// read-modify-write. A reader sums relaxed loads, and the count is the sum of the buckets (not
/// a counter of its own), so a scrape taken while samples arrive always shows a valid histogram
/// (`+Inf` is every bucket); only the sum may be a sample ahead of or behind them.
final class LoopHistogram: @unchecked Sendable {
    // @unchecked: the counters are atomics in storage this object allocates and frees; the
    // pointer itself never changes.
    /// Upper bounds, ascending: nanoseconds for a duration histogram, else the value itself.
    let bounds: [Int64]
    /// Per bucket (not cumulative; the last is +Inf), then the sum.
    private let cells: UnsafeMutablePointer<Atomic<Int64>>
    private let cellCount: Int

    init(bounds: [Int64]) {
        self.bounds = bounds
        cellCount = bounds.count + 2
        cells = .allocate(capacity: cellCount)
        for i in 0..<cellCount { (cells + i).initialize(to: Atomic(0)) }
    }

    deinit {
        cells.deinitialize(count: cellCount)
        cells.deallocate()
    }

    /// Records `value` (nanoseconds for a duration). Called by the owning loop only.
    func record(_ value: Int64) {
        var i = 0
        while i < bounds.count, value > bounds[i] { i += 1 }
        add(i, 1)
        add(bounds.count + 1, value)
    }

    private func add(_ cell: Int, _ n: Int64) {
        cells[cell].store(cells[cell].load(ordering: .relaxed) &+ n, ordering: .relaxed)
    }

    /// The counts per bucket (not cumulative, +Inf last), the sum and the count, as now.
    func read() -> (buckets: [Int64], sum: Int64, count: Int64) {
        var buckets: [Int64] = []
        buckets.reserveCapacity(bounds.count + 1)
        for i in 0...bounds.count { buckets.append(cells[i].load(ordering: .relaxed)) }
        return (buckets, cells[bounds.count + 1].load(ordering: .relaxed), buckets.reduce(0, &+))
    }
}

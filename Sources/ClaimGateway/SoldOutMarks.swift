import ClaimCore

/// The windows Redis has answered `sold_out` for, by pool and segment. While a window is
/// marked, claims without an `Idempotency-Key` are answered `sold_out` by the gateway itself,
/// with no Redis round trip; every `soldOutRecheckMilliseconds` the loop asks Redis whether an
/// operator restocked it (`claimctl reset`) and unmarks it if so, and a mark lapses when its
/// window closes. A split pool is marked per segment; the gateway answers for the whole pool
/// before authentication only when every segment is marked.
///
/// At peak almost every request asks `covers`, so that reads plain integers by pool index: no
/// schedule is computed, no `Pool` copied, no String hashed.
struct SoldOutMarks {
    /// What `covers` reads: the marked window's bounds and how many segments are marked.
    private struct Bounds {
        var opensAt: Int64 = 0
        var closesAt: Int64 = 0
        var marked = 0
        let segments: Int
    }
    private var bounds: [Bounds]
    private var windows: [ReleaseWindow?]
    private var segmentMarks: [[Bool]]
    /// Pools with at least one mark.
    private(set) var markedPools = 0

    init(segmentsPerPool: [Int]) {
        bounds = segmentsPerPool.map { Bounds(segments: $0) }
        windows = segmentsPerPool.map { _ in nil }
        segmentMarks = segmentsPerPool.map { [Bool](repeating: false, count: $0) }
    }

    var isEmpty: Bool { markedPools == 0 }

    /// Every segment of `pool` is marked, for a window open at `now`.
    func covers(pool: Int, at now: Instant) -> Bool {
        let b = bounds[pool]
        return b.marked == b.segments && b.opensAt <= now.unixMilliseconds && now.unixMilliseconds < b.closesAt
    }

    /// When the marked window of `pool` opened (Unix ms; 0 when none is marked): which window a
    /// pre-rendered answer was made for.
    func markedOpensAt(pool: Int) -> Int64 { bounds[pool].opensAt }

    /// `segment` of `pool` is marked, for a window open at `now`.
    func covers(pool: Int, segment: Int, at now: Instant) -> Bool {
        let b = bounds[pool]
        return b.marked > 0 && segmentMarks[pool][segment] && b.opensAt <= now.unixMilliseconds
            && now.unixMilliseconds < b.closesAt
    }

    /// Redis said `segment` of `pool` is sold out in `window`. A mark for an earlier window than
    /// the one marked (a late reply across a window boundary) changes nothing.
    mutating func mark(pool: Int, segment: Int, window: ReleaseWindow) {
        if let current = windows[pool], current != window {
            guard window.opensAt > current.opensAt else { return }
            clear(pool)
        }
        if windows[pool] == nil {
            windows[pool] = window
            bounds[pool].opensAt = window.opensAt.unixMilliseconds
            bounds[pool].closesAt = window.closesAt.unixMilliseconds
            markedPools += 1
        }
        guard !segmentMarks[pool][segment] else { return }
        segmentMarks[pool][segment] = true
        bounds[pool].marked += 1
    }

    /// Redis found stock again in `segment` of `pool`'s window `windowID` (a restock).
    mutating func unmark(pool: Int, segment: Int, windowID: String) {
        guard windows[pool]?.id == windowID, segmentMarks[pool][segment] else { return }
        segmentMarks[pool][segment] = false
        bounds[pool].marked -= 1
        if bounds[pool].marked == 0 { clear(pool) }
    }

    /// Drops the marks of windows closed at `now` and returns the marks left, to be rechecked.
    mutating func sweep(now: Instant) -> [(pool: Int, segment: Int, window: ReleaseWindow)] {
        var left: [(pool: Int, segment: Int, window: ReleaseWindow)] = []
        for pool in windows.indices {
            guard let w = windows[pool] else { continue }
            if now >= w.closesAt {
                clear(pool)
                continue
            }
            for (s, marked) in segmentMarks[pool].enumerated() where marked { left.append((pool, s, w)) }
        }
        return left
    }

    private mutating func clear(_ pool: Int) {
        guard windows[pool] != nil else { return }
        windows[pool] = nil
        bounds[pool].marked = 0
        bounds[pool].opensAt = 0
        bounds[pool].closesAt = 0
        for s in segmentMarks[pool].indices { segmentMarks[pool][s] = false }
        markedPools -= 1
    }
}

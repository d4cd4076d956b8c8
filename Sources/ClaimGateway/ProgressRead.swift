import ClaimCore
import ClaimRedis

/// One read of a pool's progress: an HMGET per segment (each in its own slot) and the pool's
/// pause, summed into a `ProgressSnapshot` once the last reply is in, or a failure at the first
/// one. Hands the result to its `ProgressEndpoint`, which answers whoever waits on it.
final class ProgressRead: RedisCallOwner {
    private let pool: Pool
    private let poolIndex: Int
    private let position: SchedulePosition
    private let window: ReleaseWindow
    private let now: Instant
    private let freshUntil: UInt64
    private let calendar: CityCalendar
    private unowned(unsafe) let endpoint: ProgressEndpoint
    private var parts: PartsAnswer
    private var released = 0, left = 0, granted = 0
    /// Some segment has counts (released, or about to be by its first claim).
    private var any = false
    private var unreadable = false
    /// Why the pool is paused (`claimctl pause`), if it is.
    private var pausedReason: String?

    /// `endpoint` outlives the read: both belong to one loop, which ends its calls before it ends.
    init(
        pool: Pool, index: Int, position: SchedulePosition, window: ReleaseWindow, now: Instant, freshUntil: UInt64,
        calendar: CityCalendar, endpoint: ProgressEndpoint
    ) {
        self.pool = pool
        poolIndex = index
        self.position = position
        self.window = window
        self.now = now
        self.freshUntil = freshUntil
        self.calendar = calendar
        self.endpoint = endpoint
        parts = PartsAnswer(parts: pool.segmentCount + 1)
    }

    /// Tag k < K: segment k's window; tag K: the pause (kept in the first segment's slot too).
    private func key(_ tag: Int) -> [UInt8] {
        let keys = PoolKeys(pool: PoolSegment(pool: pool, index: tag % pool.segmentCount).storageID)
        return Array((tag == pool.segmentCount ? keys.pause : keys.window(window.id)).utf8)
    }

    func redisSlot(_ segment: Int) -> Int { HashSlot.of(key(segment)) }

    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        guard tag < pool.segmentCount else { return RESPEncoder.append([Array("GET".utf8), key(tag)], to: &out) }
        RESPEncoder.append(
            [Array("HMGET".utf8), key(tag)] + ["released", "left", "granted"].map { Array($0.utf8) }, to: &out)
    }

    func replied(tag: Int, owned reply: RedisReply) {
        if tag == pool.segmentCount {
            pausedReason = reply.text
        } else if let items = reply.array, items.count == 3 {
            if items[0] != .null {
                released += Int(items[0].integer ?? 0)
                left += Int(items[1].integer ?? 0)
                granted += Int(items[2].integer ?? 0)
                any = true
            } else if pool.autoOpen, case .open = position, window.contains(now) {
                // Open but untouched: the first claim will release exactly the quota.
                let share = PoolSegment(pool: pool, index: tag).share(of: pool.stockPerRelease)
                released += share
                left += share
                any = true
            }
        } else {
            unreadable = true
        }
        guard parts.replied() else { return }
        if unreadable {
            return endpoint.readFailed(pool: poolIndex, .error(.internalError, "unexpected progress reply"))
        }
        endpoint.read(
            pool: poolIndex, counts: any ? (released, left, granted) : nil, paused: pausedReason != nil,
            ProgressSnapshot(
                pool: pool, position: position, counts: any ? (released, left, granted) : nil,
                pausedReason: pausedReason, calendar: calendar, freshUntil: freshUntil))
    }

    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {
        if parts.failed() { endpoint.readFailed(pool: poolIndex, nil) }
    }
}

import ClaimCore
import ClaimHTTP
import ClaimRedis

/// `GET /v1/pools/{pool}`: the pool's current or next window and its counts, summed over a
/// split pool's segments (one HMGET each, each in its own slot) by a `ProgressRead`.
final class ProgressEndpoint {
    private let context: GatewayContext

    init(context: GatewayContext) { self.context = context }

    func handle(pool index: Int, slot: HTTPAnswerSlot, now: Instant) {
        let pool = context.programme.pools[index]
        let position = context.programme.position(of: pool, at: now)
        switch position {
        case .ended:
            context.respond(
                slot,
                ResponseBody.progress(
                    pool: pool, position: position, counts: nil, calendar: context.programme.calendar, now: now))
        case .open(let w), .upcoming(let w):
            guard context.admitRedisCall() else { return context.respond(slot, context.unavailable()) }
            let read = ProgressRead(pool: pool, position: position, window: w, slot: slot, context: context, now: now)
            // One HMGET per segment (tags 0..<K), and the pause (tag K).
            context.sendReads(read, tags: 0...pool.segmentCount, slot: read.redisSlot)
        }
    }
}

/// One progress request's HMGETs, one per segment, and the pool's pause, until the last reply
/// is in (or the first failure, which answers 503 at once).
final class ProgressRead: RedisCallOwner {
    private let pool: Pool
    private let position: SchedulePosition
    private let window: ReleaseWindow
    private let slot: HTTPAnswerSlot
    private let context: GatewayContext
    private let now: Instant
    private var parts: PartsAnswer
    private var released = 0, left = 0, granted = 0
    /// Some segment has counts (released, or about to be by its first claim).
    private var any = false
    private var unreadable = false
    /// Why the pool is paused (`claimctl pause`), if it is.
    private var pausedReason: String?

    init(
        pool: Pool, position: SchedulePosition, window: ReleaseWindow, slot: HTTPAnswerSlot, context: GatewayContext,
        now: Instant
    ) {
        self.pool = pool
        self.position = position
        self.window = window
        self.slot = slot
        self.context = context
        self.now = now
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
        if unreadable { return context.respond(slot, .error(.internalError, "unexpected progress reply")) }
        context.respond(
            slot,
            ResponseBody.progress(
                pool: pool, position: position, counts: any ? (released, left, granted) : nil,
                calendar: context.programme.calendar, now: now, pausedReason: pausedReason))
    }

    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {
        if parts.failed() { context.respond(slot, context.unavailable()) }
    }
}

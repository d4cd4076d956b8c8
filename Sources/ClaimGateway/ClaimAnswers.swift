import ClaimCore
import ClaimHTTP
import ClaimRedis

/// Every answer to a claim, and what answers teach the loop: a fresh grant from the window's
/// pre-rendered 201 (`GrantAnswer`), any other outcome from `ResponseBody.claim`, a failed call
/// as 503, each counted in the metrics; Redis's `sold_out` marks the window (`SoldOutMarks`),
/// which is then answered here with a pre-rendered answer until a recheck finds stock again; a
/// person Redis says holds their limit is marked for the window (`ReachedLimits`), and their
/// further taps are answered `limit_reached` here, pre-rendered too.
final class ClaimAnswers {
    private let context: GatewayContext
    /// Windows Redis said are sold out.
    private var soldOut: SoldOutMarks
    /// The whole keep-alive `sold_out` answer per pool, framed once per marked window (its
    /// opening is the version: the answer names the next release): the storm after a sell-out is
    /// answered by copying these bytes.
    private var soldOutAnswers: [FramedAnswer?]
    /// The 201 of a fresh grant, pre-rendered per pool for the window it is in (nil answer: the
    /// window's samples did not cut cleanly, so `ResponseBody.claim` writes each).
    private var grantAnswers: [(windowID: String, answer: GrantAnswer?)?]
    /// Reused for each granted claim's body, framed into its connection right after.
    private var grantBody: [UInt8] = []
    /// People who hold the most their window allows, per pool.
    private var reached: ReachedLimits
    /// The whole keep-alive `limit_reached` answer per pool (it names only the pool's limit:
    /// one version).
    private var limitReachedAnswers: [FramedAnswer?]
    /// An answer framed whole, for the version of the pool's state it was made for.
    private typealias FramedAnswer = (version: Int64, bytes: [UInt8])

    init(context: GatewayContext) {
        self.context = context
        soldOut = SoldOutMarks(segmentsPerPool: context.programme.pools.map(\.segmentCount))
        grantAnswers = context.programme.pools.map { _ in nil }
        soldOutAnswers = context.programme.pools.map { _ in nil }
        reached = ReachedLimits(
            pools: context.programme.pools.count, capacity: context.config.reachedLimitEntries)
        limitReachedAnswers = context.programme.pools.map { _ in nil }
        scheduleRecheck()
    }

    // MARK: sold out

    /// Whether pool `index`'s current window is known sold out (every segment of it).
    func isSoldOut(pool index: Int, at now: Instant) -> Bool { soldOut.covers(pool: index, at: now) }

    /// Whether one segment of a split pool is.
    func isSoldOut(pool index: Int, segment: Int, at now: Instant) -> Bool {
        soldOut.covers(pool: index, segment: segment, at: now)
    }

    /// Answers `sold_out` without Redis (counted as a short circuit), pre-rendered when the
    /// connection stays open.
    func answerSoldOut(pool index: Int, slot: HTTPAnswerSlot, started: UInt64, now: Instant) {
        context.metrics.soldOutShortCircuit.increment()
        answerAlone(
            .soldOut, pool: index, version: soldOut.markedOpensAt(pool: index), framed: &soldOutAnswers, slot: slot,
            started: started, now: now)
    }

    /// Answers `outcome` without Redis, from `framed[index]` (framed once per `version`) when the
    /// connection stays open.
    private func answerAlone(
        _ outcome: ClaimOutcome, pool index: Int, version: Int64, framed: inout [FramedAnswer?], slot: HTTPAnswerSlot,
        started: UInt64, now: Instant
    ) {
        context.metrics.claim(
            GatewayMetrics.ClaimResult(outcome), pool: index, nanoseconds: context.loop.clock.nanoseconds() &- started)
        let pool = context.programme.pools[index]
        guard context.http.takesFramedAnswer(slot) else {
            return context.respond(
                slot, ResponseBody.claim(outcome, pool: pool, programme: context.programme, now: now))
        }
        if let f = framed[index], f.version == version { return context.http.respond(slot, framed: f.bytes) }
        let r = ResponseBody.claim(outcome, pool: pool, programme: context.programme, now: now)
        var bytes: [UInt8] = []
        HTTPResponseWriter.append(
            status: r.status, body: r.body, keepAlive: true, extraHeaders: r.headers, contentType: r.contentType,
            to: &bytes)
        framed[index] = (version, bytes)
        context.http.respond(slot, framed: bytes)
    }

    /// Every `soldOutRecheckMilliseconds`: the fallback for a restock whose message was lost.
    private func scheduleRecheck() {
        // unowned(unsafe): the loop runs this only while the gateway that owns both is alive.
        context.loop.schedule(afterMilliseconds: context.config.soldOutRecheckMilliseconds) {
            [unowned(unsafe) self] in
            recheckMarks()
            scheduleRecheck()
        }
    }

    /// Drops marks of closed windows and asks Redis, for each other one, whether it has stock
    /// again (one pipelined HGET each; the replies unmark).
    func recheckMarks() {
        guard !soldOut.isEmpty else { return }
        for (pool, segment, window) in soldOut.sweep(now: context.now()) {
            guard context.admitRedisCall() else { break }
            let check = SoldOutRecheck(
                pool: pool, segment: segment, window: window, answers: self, programme: context.programme)
            _ = context.redis.send(slot: check.slot, shape: .read, owner: check, tag: 0)
        }
    }

    /// A recheck found stock, or a restock was published (`RestockListener`).
    func restocked(pool: Int, segment: Int, windowID: String) {
        soldOut.unmark(pool: pool, segment: segment, windowID: windowID)
    }

    // MARK: limit reached

    /// Whether Redis told this loop that `claim`'s person holds the most its window allows.
    func hasReachedLimit(_ claim: ClaimRequest, pool index: Int) -> Bool {
        reached.covers(pool: index, person: claim.person, window: claim.window)
    }

    /// Answers `limit_reached` without Redis (counted as a short circuit), pre-rendered when the
    /// connection stays open.
    func answerLimitReached(pool index: Int, slot: HTTPAnswerSlot, started: UInt64, now: Instant) {
        context.metrics.limitReachedShortCircuit.increment()
        answerAlone(
            .limitReached, pool: index, version: 0, framed: &limitReachedAnswers, slot: slot, started: started, now: now
        )
    }

    /// The loop reconnected to Redis or heard a new cluster slot map: Redis may have lost the
    /// last grants it answered (`ReachedLimits`), so it decides every claim again.
    func forgetReachedLimits() { reached.forgetAll() }

    /// Redis granted `claim`: where the limit is one, its person now holds it.
    private func granted(_ claim: ClaimRequest, pool index: Int) {
        guard claim.pool.limitPerWindow == 1 else { return }
        reached.mark(pool: index, person: claim.person, window: claim.window, now: claim.claimedAt)
    }

    // MARK: answers

    /// A claim answered without Redis (a refusal, or the planner's outcome).
    func refuse(
        _ result: GatewayMetrics.ClaimResult, pool: Int?, slot: HTTPAnswerSlot, started: UInt64, _ r: GatewayResponse
    ) {
        context.metrics.claim(result, pool: pool, nanoseconds: context.loop.clock.nanoseconds() &- started)
        context.respond(slot, r)
    }

    /// A fresh grant of one voucher (`ClaimReplyItem.freshGrant`): the answer `complete` would
    /// give it, from the window's pre-rendered body.
    func grant(_ entry: ClaimBatch.Entry, of batch: ClaimBatch, left: Int64, number: Int64) {
        let claim = entry.claim
        let index = batch.poolIndex
        context.metrics.claim(.granted, pool: index, nanoseconds: context.loop.clock.nanoseconds() &- batch.sentAt)
        granted(claim, pool: index)
        // Segments split a pool's stock: only a whole pool's count is the pool's.
        if claim.pool.segmentCount == 1 { context.metrics.poolLeft(index, Int(left)) }
        context.metrics.poolPaused(index, false)
        let template: GrantAnswer?
        if let t = grantAnswers[index], t.windowID == claim.window.id {
            template = t.answer
        } else {
            template = GrantAnswer(pool: claim.pool, window: claim.window, programme: context.programme)
            grantAnswers[index] = (claim.window.id, template)
        }
        guard let template else {
            let voucher = ClaimScript.voucher(for: claim, number: number)
            return context.respond(
                entry.slot,
                ResponseBody.claim(
                    .granted([voucher], left: Int(left), replayed: false), pool: claim.pool,
                    programme: context.programme, now: context.now()))
        }
        grantBody.removeAll(keepingCapacity: true)
        template.append(
            segment: claim.segment.index, number: number, claimedAt: claim.claimedAt, expiresAt: claim.expiresAt,
            store: claim.store, left: left, now: context.now(), to: &grantBody)
        context.http.respond(entry.slot, status: 201, body: grantBody)
    }

    /// Any other outcome of one claim.
    func complete(_ entry: ClaimBatch.Entry, of batch: ClaimBatch, _ outcome: ClaimOutcome) {
        let claim = entry.claim
        context.metrics.claim(
            GatewayMetrics.ClaimResult(outcome), pool: batch.poolIndex,
            nanoseconds: context.loop.clock.nanoseconds() &- batch.sentAt)
        switch outcome {
        case .soldOut:
            soldOut.mark(pool: batch.poolIndex, segment: claim.segment.index, window: claim.window)
            if claim.pool.segmentCount == 1 { context.metrics.poolLeft(batch.poolIndex, 0) }
        case .paused:
            context.metrics.poolPaused(batch.poolIndex, true)
            reached.forget(pool: batch.poolIndex)
        case .limitReached:
            reached.mark(pool: batch.poolIndex, person: claim.person, window: claim.window, now: claim.claimedAt)
        case .granted: granted(claim, pool: batch.poolIndex)
        default: break
        }
        context.respond(
            entry.slot,
            ResponseBody.claim(outcome, pool: claim.pool, programme: context.programme, now: context.now()))
    }

    /// A reply the script never gives, or the call's error: a 500 that says how to retry safely.
    func unreadable(_ entry: ClaimBatch.Entry, of batch: ClaimBatch, _ why: String) {
        context.metrics.claim(
            .internalError, pool: batch.poolIndex, nanoseconds: context.loop.clock.nanoseconds() &- batch.sentAt)
        context.metrics.redisErrors.increment()
        context.logger.error("claim script failed", metadata: ["error": "\(why)", "pool": "\(entry.claim.pool.id)"])
        context.respond(
            entry.slot, .error(.internalError, "the claim could not be completed; retry with the same Idempotency-Key"))
    }

    /// The call got no reply: 503 if Redis never had it (nothing granted), 504 if it was sent
    /// (it may have been granted; only a retry with the same Idempotency-Key is safe).
    func fail(_ entry: ClaimBatch.Entry, of batch: ClaimBatch, _ failure: RedisRoutePolicy.Failure) {
        let nanoseconds = context.loop.clock.nanoseconds() &- batch.sentAt
        switch failure {
        case .notRun:
            context.metrics.claim(.redisUnavailable, pool: batch.poolIndex, nanoseconds: nanoseconds)
            context.respond(entry.slot, context.unavailable())
        case .outcomeUnknown:
            context.metrics.claim(.outcomeUnknown, pool: batch.poolIndex, nanoseconds: nanoseconds)
            context.respond(entry.slot, Self.claimOutcomeUnknown)
        }
    }

    static let claimOutcomeUnknown = GatewayResponse.outcomeUnknown("claim", retryWith: "the same Idempotency-Key")
}

import ClaimAuth
import ClaimCore
import ClaimHTTP

/// `POST /v1/pools/{pool}/claims`: a window known sold out, and a pool with no window open, are
/// answered at once (a second tap before the opening leaves its token to be verified ahead:
/// `Gatekeeper.checkAhead`); otherwise the resident's token, their rate limit, the
/// Idempotency-Key, the body and its store QR code are checked, the planner decides what needs no Redis
/// (`not_eligible` and the store QR refusals), and the claim joins its window's batch
/// (`ClaimBatcher`). Every answer is `ClaimAnswers`'.
final class ClaimEndpoint {
    private let context: GatewayContext
    private let gatekeeper: Gatekeeper
    private let answers: ClaimAnswers
    private let batcher: ClaimBatcher
    private let planner: ClaimPlanner
    private var storeCodes: StoreQRCodeReader
    /// Per pool, its current window while it is known open (so a claim in an open window reads
    /// the schedule once per window, not per claim: here and in the planner).
    private var openWindow: [ReleaseWindow?]

    init(context: GatewayContext, gatekeeper: Gatekeeper, answers: ClaimAnswers, batcher: ClaimBatcher) {
        self.context = context
        self.gatekeeper = gatekeeper
        self.answers = answers
        self.batcher = batcher
        planner = ClaimPlanner(programme: context.programme)
        storeCodes = StoreQRCodeReader(keys: context.config.storeQRKeys)
        openWindow = Array(repeating: nil, count: context.programme.pools.count)
    }

    /// Checks store QR codes with `keys` from now on, forgetting every code checked before: a
    /// code signed by a key taken out is refused from the next claim.
    func replaceStoreQRKeys(_ keys: TokenKeySet?) { storeCodes = StoreQRCodeReader(keys: keys) }

    /// Pool `index`'s schedule at `now`: its open window from memory until it closes.
    private func schedule(pool index: Int, at now: Instant) -> SchedulePosition {
        if let w = openWindow[index], now < w.closesAt { return .open(w) }
        let position = context.programme.position(of: context.programme.pools[index], at: now)
        openWindow[index] = if case .open(let w) = position { w } else { nil }
        return position
    }

    func handle(_ request: HTTPRequestView, pool ref: PoolRef, slot: HTTPAnswerSlot, now: Instant) {
        let started = context.loop.clock.nanoseconds()
        let index: Int? = if case .known(let i) = ref { i } else { nil }
        func refuse(_ result: GatewayMetrics.ClaimResult, _ r: GatewayResponse) {
            answers.refuse(result, pool: index, slot: slot, started: started, r)
        }
        // A window known to be sold out is answered before authentication: an anonymous caller
        // learns only what GET /v1/pools/{pool} shows anyway, and the crowd that arrives after
        // the stock is gone costs no HMAC and no Redis round trip. Retries with an
        // Idempotency-Key go on to Redis, which holds their first grant.
        if let index, RequestFields.idempotencyKey(request) == nil, answers.isSoldOut(pool: index, at: now) {
            return answers.answerSoldOut(pool: index, slot: slot, started: started, now: now)
        }
        // So is a pool with no window open: the schedule is what GET /v1/pools/{pool} shows, and
        // the crowd tapping before 10:00, every one a new token, would otherwise cost a signature
        // check each (38 us of a core for ES256) to hear "not yet". Eligibility is told from the
        // opening on.
        let position = index.map { schedule(pool: $0, at: now) }
        if let index, let position, let outcome = ClaimPlanner.outcome(noWindowOpen: position) {
            let pool = context.programme.pools[index]
            // The token is verified before the opening, on the loop's idle-priority thread, so
            // this resident's tap at the opening finds it verified: the signature checks move
            // out of the busiest second.
            if case .upcoming = position { gatekeeper.checkAhead(request) }
            return refuse(
                GatewayMetrics.ClaimResult(outcome),
                ResponseBody.claim(outcome, pool: pool, programme: context.programme, now: now))
        }
        let person: PersonToken
        switch gatekeeper.resident(request, now: now) {
        case .failure(let r): return refuse(.unauthorized, r)
        case .success(let p): person = p
        }
        if let r = gatekeeper.checkPerson(person.person) { return refuse(.rateLimited, r) }
        guard let index, let position else { return refuse(.unknownPool, ClaimService.unknownPool(ref)) }
        let pool = context.programme.pools[index]
        let idempotencyKey = RequestFields.idempotencyKey(request).map { String(decoding: $0, as: UTF8.self) }
        if let key = idempotencyKey, !Identifier.isValid(key) {
            return refuse(.badRequest, .error(.badRequest, "Idempotency-Key must be 1-64 characters of [A-Za-z0-9_.-]"))
        }
        // A claim needs no body; if one is sent it must be a JSON object. In-store claims carry
        // the store's QR token in it.
        var body: FlatJSONObject?
        if !request.body.isEmpty {
            guard let parsed = try? FlatJSONObject(parsing: request.body) else {
                return refuse(.badRequest, .error(.badRequest, "body must be empty or a JSON object"))
            }
            body = parsed
        }
        let visit = storeCodes.visit(body?.string("store_qr").map { Array($0.utf8) })
        switch planner.plan(
            pool: pool, person: person.person, facts: person.facts, idempotencyKey: idempotencyKey, now: now,
            store: visit, schedule: position)
        {
        case .answer(let outcome):
            refuse(
                GatewayMetrics.ClaimResult(outcome),
                ResponseBody.claim(outcome, pool: pool, programme: context.programme, now: now))
        case .run(let claim):
            // A split pool's segment can be known sold out while others are not.
            if pool.segmentCount > 1, idempotencyKey == nil,
                answers.isSoldOut(pool: index, segment: claim.segment.index, at: now)
            {
                context.metrics.soldOutShortCircuit.increment()
                return refuse(
                    .soldOut, ResponseBody.claim(.soldOut, pool: pool, programme: context.programme, now: now))
            }
            // So is a person Redis told this loop holds the most this window allows: claim.lua
            // would refuse them again (`ReachedLimits` says why that is exact).
            if idempotencyKey == nil, answers.hasReachedLimit(claim, pool: index) {
                return answers.answerLimitReached(pool: index, slot: slot, started: started, now: now)
            }
            guard context.admitRedisCall() else { return refuse(.redisUnavailable, context.unavailable()) }
            if let check = context.config.programmeCheck, !check.hasPassed {
                return refuse(.redisUnavailable, .redisUnavailable(reason: ProgrammeCheck.pendingReason))
            }
            batcher.add(claim, poolIndex: index, slot: slot)
        }
    }
}

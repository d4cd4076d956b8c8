import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis

/// Request handling: routing, authentication, and what each route sends to Redis.
extension GatewayServer {
    /// Answers one request, or queues what it sends to Redis. `request` is read in place and
    /// valid only during this call: whatever a pending call needs is copied into it.
    func dispatch(_ request: HTTPRequestView, on conn: HTTPConnection) {
        let seq = conn.reserveSlot()
        let keep = request.keepAlive
        let now = config.clock.now()
        func reply(_ r: GatewayResponse) { answer(conn, seq, r, keepAlive: keep) }
        func call(_ command: [[UInt8]], _ work: PendingCall.Work) {
            guard admitRedisCall() else { return reply(.redisUnavailable()) }
            part(command, work)
        }
        /// One of several calls that together answer the request (admitted once, by the caller).
        func part(_ command: [[UInt8]], _ work: PendingCall.Work) {
            send(
                command,
                PendingCall(
                    connection: conn.id, seq: seq, keepAlive: keep, work: work, sentAt: MonotonicClock.nanoseconds()))
        }
        metrics.requests.increment()
        let route = Route(method: request.method, path: request.path, pools: pools)
        if addressBuckets != nil, route != .health, route != .metrics {
            if let retry = overLimit(&addressBuckets, UInt64(conn.peer)) {
                metrics.rateLimitedAddress.increment()
                return reply(Self.rateLimited(retry, "too many requests from your address"))
            }
        }
        switch route {
        case .health:
            answer(
                conn, seq, ResponseBody.health(redisReady: redisReady, programme: programme, now: now), keepAlive: keep,
                omitBody: request.method == .head)
        case .metrics:
            guard let text = metrics.exposition() else { return reply(.error(.notFound, "metrics are off")) }
            reply(GatewayResponse(status: 200, body: text, contentType: "text/plain; version=0.0.4; charset=utf-8"))
        case .notFound:
            reply(.error(.notFound, "no such endpoint"))
        case .methodNotAllowed(let allowed):
            reply(.error(.methodNotAllowed, "use \(allowed)", headers: "Allow: \(allowed)\r\n"))
        case .progress(let ref):
            guard case .known(let index) = ref else { return reply(Self.unknownPool(ref)) }
            let pool = programme.pools[index]
            let position = programme.position(of: pool, at: now)
            switch position {
            case .ended:
                reply(ResponseBody.progress(pool: pool, position: position, counts: nil, calendar: programme.calendar))
            case .open(let w), .upcoming(let w):
                guard admitRedisCall() else { return reply(.redisUnavailable()) }
                let gather = ProgressGather(parts: pool.segmentCount)
                for segment in pool.segments {
                    let key = PoolKeys(pool: segment.storageID).window(w.id)
                    part(
                        [Array("HMGET".utf8), Array(key.utf8)]
                            + ["released", "left", "granted"].map { Array($0.utf8) },
                        .progress(pool, position, w, gather, segment: segment.index))
                }
            }
        case .claim(let ref):
            let started = MonotonicClock.nanoseconds()
            let index: Int? = if case .known(let i) = ref { i } else { nil }
            func refuse(_ result: GatewayMetrics.ClaimResult, _ r: GatewayResponse) {
                metrics.claim(result, pool: index, nanoseconds: MonotonicClock.nanoseconds() - started)
                reply(r)
            }
            // A window known to be sold out is answered before authentication: an anonymous caller
            // learns only what GET /v1/pools/{pool} shows anyway, and the crowd that arrives after
            // the stock is gone costs no HMAC and no Redis round trip. Retries with an
            // Idempotency-Key go on to Redis, which holds their first grant.
            if let index, request.head.idempotencyKey == nil, soldOut.covers(pool: index, at: now) {
                metrics.soldOutShortCircuit.increment()
                guard keep, !isDraining else {
                    return refuse(
                        .soldOut,
                        ResponseBody.claim(
                            .soldOut, pool: programme.pools[index], calendar: programme.calendar, now: now))
                }
                metrics.claim(.soldOut, pool: index, nanoseconds: MonotonicClock.nanoseconds() - started)
                return answer(conn, seq, framed: soldOutAnswers[index], keepAlive: true)
            }
            switch resident(request.bearerToken, request, now: now) {
            case .failure(let r): return refuse(.unauthorized, r)
            case .success(let person):
                if let retry = overLimit(&personBuckets, person.person) {
                    metrics.rateLimitedPerson.increment()
                    return refuse(.rateLimited, Self.rateLimited(retry, "too many requests; slow down"))
                }
                guard let index else { return refuse(.unknownPool, Self.unknownPool(ref)) }
                let pool = programme.pools[index]
                let idempotencyKey = request.idempotencyKey.map { String(decoding: $0, as: UTF8.self) }
                if let key = idempotencyKey, !Identifier.isValid(key) {
                    return refuse(
                        .badRequest, .error(.badRequest, "Idempotency-Key must be 1-64 characters of [A-Za-z0-9_.-]"))
                }
                // A claim needs no body; if one is sent it must be a JSON object. In-store claims
                // carry the store's QR token in it.
                var body: FlatJSONObject?
                if !request.body.isEmpty {
                    guard let parsed = try? FlatJSONObject(parsing: request.body) else {
                        return refuse(.badRequest, .error(.badRequest, "body must be empty or a JSON object"))
                    }
                    body = parsed
                }
                let visit = StoreQRCode.visit(body?.string("store_qr").map { Array($0.utf8) }, verifier: storeVerifier)
                switch planner.plan(
                    pool: pool, person: person.person, facts: person.facts, idempotencyKey: idempotencyKey,
                    now: now, store: visit)
                {
                case .answer(let outcome):
                    refuse(
                        GatewayMetrics.ClaimResult(outcome),
                        ResponseBody.claim(outcome, pool: pool, calendar: programme.calendar, now: now))
                case .run(let claim):
                    // A split pool's segment can be known sold out while others are not.
                    if pool.segmentCount > 1, idempotencyKey == nil,
                        soldOut.covers(pool: index, segment: claim.segment.index, at: now)
                    {
                        metrics.soldOutShortCircuit.increment()
                        return refuse(
                            .soldOut, ResponseBody.claim(.soldOut, pool: pool, calendar: programme.calendar, now: now))
                    }
                    guard admitRedisCall() else { return refuse(.redisUnavailable, .redisUnavailable()) }
                    batch(claim, poolIndex: index, .init(connection: conn.id, seq: seq, keepAlive: keep, claim: claim))
                }
            }
        case .wallet:
            switch resident(request.bearerToken, request, now: now) {
            case .failure(let r): reply(r)
            case .success(let person):
                if let retry = overLimit(&personBuckets, person.person) {
                    metrics.rateLimitedPerson.increment()
                    return reply(Self.rateLimited(retry, "too many requests; slow down"))
                }
                guard admitRedisCall() else { return reply(.redisUnavailable()) }
                let gather = WalletGather(person: person.person, parts: programme.pools.count)
                for pool in programme.pools {
                    let storage = pool.segment(of: person.person).storageID
                    part(
                        WalletScript.command(pool: storage, person: person.person),
                        .wallet(gather, pool: pool.id, storage: storage))
                }
            }
        case .redeem:
            switch redemption(request, now: now) {
            case .failure(let r): reply(r)
            case .success(let r): call(RedemptionScript.redeemCommand(r), .redeem(r))
            }
        case .reverse(let order):
            switch merchant(request, now: now) {
            case .failure(let r): return reply(r)
            case .success(let m):
                guard Identifier.isValid(order) else {
                    return reply(.error(.badRequest, "order must be an identifier"))
                }
                guard let body = try? FlatJSONObject(parsing: request.body), let voucher = body.string("voucher")
                else { return reply(.error(.badRequest, "body must be {\"voucher\": \"<voucher id>\"}")) }
                // An id that names no voucher of ours was never redeemed under this order.
                guard voucher.utf8.count <= 160, let poolID = RedemptionRequest.poolID(ofVoucher: voucher),
                    programme.segment(storageID: poolID) != nil
                else { return reply(.error(.unknownOrder, "no redemption of this voucher under this order id")) }
                call(
                    RedemptionScript.reverseCommand(
                        pool: poolID, voucher: voucher, merchant: m.merchant, order: order, now: now),
                    .reverse(pool: poolID, voucher: voucher, merchant: m.merchant, order: order, now: now))
            }
        }
    }

    /// Answers a fresh grant of one voucher read in place (`ClaimScript.freshGrant`): the
    /// answer `complete` would give it, from the window's pre-rendered body.
    func answerGrant(_ call: PendingCall, _ claim: ClaimRequest, poolIndex: Int, left: Int64, number: Int64) {
        metrics.claim(.granted, pool: poolIndex, nanoseconds: MonotonicClock.nanoseconds() - call.sentAt)
        let template: GrantAnswer
        if let t = grantAnswers[poolIndex], t.windowID == claim.window.id {
            template = t
        } else {
            template = GrantAnswer(pool: claim.pool, window: claim.window, calendar: programme.calendar)
            grantAnswers[poolIndex] = template
        }
        grantBody.removeAll(keepingCapacity: true)
        template.append(
            segment: claim.segment.index, number: number, claimedAt: claim.claimedAt, expiresAt: claim.expiresAt,
            store: claim.store, left: left,
            now: config.clock.now(), to: &grantBody)
        answer(call, GatewayResponse(status: 201, body: grantBody))
    }

    /// Takes a token from a person's bucket; the seconds to wait if there was none (nil also
    /// when there is no limit).
    private func overLimit(_ buckets: inout RateLimitTable?, _ person: String) -> Int? {
        guard let key = buckets?.key(person) else { return nil }
        return buckets?.take(key, now: MonotonicClock.nanoseconds())
    }

    /// The same for a client address.
    private func overLimit(_ buckets: inout RateLimitTable?, _ address: UInt64) -> Int? {
        guard let key = buckets?.key(address) else { return nil }
        return buckets?.take(key, now: MonotonicClock.nanoseconds())
    }

    /// 404 for a path naming no pool of the programme.
    static func unknownPool(_ ref: PoolRef) -> GatewayResponse {
        guard case .unknown(let id) = ref else { return .error(.unknownPool, "no such pool") }
        return .error(.unknownPool, "no pool \(id)")
    }

    static func rateLimited(_ retryAfter: Int, _ message: String) -> GatewayResponse {
        .error(.rateLimited, message, headers: "Retry-After: \(retryAfter)\r\n") { $0.field("retry_after", retryAfter) }
    }

    /// The resident a token names, or the 401 to answer.
    private func resident(_ token: UnsafeRawBufferPointer?, _ request: HTTPRequestView, now: Instant) -> Result<
        PersonToken, GatewayResponse
    > {
        guard let token else {
            let why = request.hasOtherAuthorization ? "Authorization must be a Bearer token" : "missing bearer token"
            return .failure(.error(.unauthorized, why, headers: "WWW-Authenticate: Bearer\r\n"))
        }
        return verifier.verify(token, now: now).mapError { e in
            .error(.unauthorized, e.reason, headers: "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n")
        }
    }

    /// The merchant the bearer token names, or the 401 to answer.
    private func merchant(_ request: HTTPRequestView, now: Instant) -> Result<MerchantToken, GatewayResponse> {
        guard let token = request.bearerToken else {
            return .failure(
                .error(.unauthorized, "missing merchant bearer token", headers: "WWW-Authenticate: Bearer\r\n"))
        }
        return verifier.verifyMerchant(token, now: now).mapError { e in
            .error(
                .unauthorized, "merchant token: \(e.reason)",
                headers: "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n")
        }
    }

    /// Checks a redemption's merchant, body, payment code and scope; the script checks the rest.
    private func redemption(_ request: HTTPRequestView, now: Instant) -> Result<RedemptionRequest, GatewayResponse> {
        let m: MerchantToken
        switch merchant(request, now: now) {
        case .failure(let r): return .failure(r)
        case .success(let t): m = t
        }
        let shape = "body must be {\"voucher\", \"order\", \"amount_fen\", \"payment_code\"}"
        guard let body = try? FlatJSONObject(parsing: request.body), let voucher = body.string("voucher"),
            let order = body.string("order"), let amount = body.integer("amount_fen"),
            let code = body.string("payment_code")
        else { return .failure(.error(.badRequest, shape)) }
        guard Identifier.isValid(order) else {
            return .failure(.error(.badRequest, "order must be 1-64 of [A-Za-z0-9_.-]"))
        }
        guard (1...10_000_000_000).contains(amount) else {
            return .failure(.error(.badRequest, "amount_fen must be 1...10000000000"))
        }
        guard voucher.utf8.count <= 160, let poolID = RedemptionRequest.poolID(ofVoucher: voucher),
            let pool = programme.segment(storageID: poolID)?.pool
        else {
            let r = RedemptionRefusal.unknownVoucher
            return .failure(.error(code: r.rawValue, status: r.status, r.message))
        }
        // The payment code is the paying person's own token, shown at the till.
        guard case .success(let payer) = verifier.verify(Array(code.utf8), now: now) else {
            return .failure(.error(.badRequest, "payment_code is not a valid resident token"))
        }
        guard pool.accepts(anyOf: m.categories) else {
            let r = RedemptionRefusal.outOfScope
            return .failure(.error(code: r.rawValue, status: r.status, r.message))
        }
        return .success(
            RedemptionRequest(
                pool: pool, voucherID: voucher, person: payer.person, merchant: m.merchant, order: order,
                amountFen: Int(amount), now: now))
    }

    /// False when Redis is down or too far behind: the caller answers 503 at once rather than
    /// queueing without bound.
    func admitRedisCall() -> Bool { redisUsable && pendingCount < config.maxPendingRedisCalls }

    /// Handles the reply to `call`.
    func complete(_ call: PendingCall, _ reply: RedisReply) {
        if case .error(let m) = reply {
            if reply.isNoScript, call.attempt == 0, let command = call.sourceCommand() {
                // Redis restarted and lost its script cache: EVAL sends the source and caches it.
                var retry = call
                retry.attempt = 1
                return send(command, retry)
            }
            if Self.isTransient(m) {
                // The script did not run, so nothing was granted or used: the client may retry.
                metrics.redisErrors.increment()
                return fail(call)
            }
        }
        let now = config.clock.now()
        switch call.work {
        case .claims(let batch):
            // An error reply (the script did not run, or failed with nothing written) or one of
            // another shape answers every claim alike.
            let items = ClaimScript.replies(reply, for: batch.claims)
            for i in 0..<batch.count { complete(batch.call(i, sentAt: call.sentAt), items?[i] ?? reply) }
        case .claim(let claim, let index):
            let elapsed = MonotonicClock.nanoseconds() - call.sentAt
            do {
                let outcome = try ClaimScript.outcome(reply, for: claim)
                metrics.claim(GatewayMetrics.ClaimResult(outcome), pool: index, nanoseconds: elapsed)
                if case .soldOut = outcome {
                    soldOut.mark(pool: index, segment: claim.segment.index, window: claim.window)
                }
                answer(call, ResponseBody.claim(outcome, pool: claim.pool, calendar: programme.calendar, now: now))
            } catch {
                metrics.claim(.internalError, pool: index, nanoseconds: elapsed)
                metrics.redisErrors.increment()
                logger.error("claim script failed", metadata: ["error": "\(error)", "pool": "\(claim.pool.id)"])
                answer(
                    call,
                    .error(.internalError, "the claim could not be completed; retry with the same Idempotency-Key"))
            }
        case .soldOutCheck(let pool, let segment, let window):
            if let left = reply.integer, left > 0 { soldOut.unmark(pool: pool, segment: segment, windowID: window) }
        case .asking, .topology, .replicaAck:
            // Handled where replies are read (GatewayServer+Redis); never completed here.
            break
        case .progress(let pool, let position, let window, let gather, let segment):
            gather.remaining -= 1
            guard !gather.answered else { return }
            if let items = reply.array, items.count == 3 {
                if items[0] != .null {
                    gather.released += Int(items[0].integer ?? 0)
                    gather.left += Int(items[1].integer ?? 0)
                    gather.granted += Int(items[2].integer ?? 0)
                    gather.any = true
                } else if pool.autoOpen, case .open = position, window.contains(now) {
                    // Open but untouched: the first claim will release exactly the quota.
                    let share = PoolSegment(pool: pool, index: segment).share(of: pool.stockPerRelease)
                    gather.released += share
                    gather.left += share
                    gather.any = true
                }
            } else {
                gather.failed = true
            }
            guard gather.remaining == 0 else { return }
            gather.answered = true
            if gather.failed { return answer(call, .error(.internalError, "unexpected progress reply")) }
            let counts = gather.any ? (gather.released, gather.left, gather.granted) : nil
            answer(
                call,
                ResponseBody.progress(pool: pool, position: position, counts: counts, calendar: programme.calendar))
        case .wallet(let gather, let pool, _):
            gather.remaining -= 1
            do { gather.vouchers += try WalletScript.vouchers(reply, pool: pool) } catch {
                metrics.redisErrors.increment()
                logger.error("wallet script failed", metadata: ["error": "\(error)"])
                gather.failed = true
            }
            guard gather.remaining == 0, !gather.answered else { return }
            gather.answered = true
            if gather.failed {
                answer(call, .error(.internalError, "the wallet could not be read; retry"))
            } else {
                answer(
                    call,
                    ResponseBody.wallet(
                        person: gather.person, vouchers: gather.vouchers, programme: programme, now: now))
            }
        case .redeem(let r):
            do { answer(call, ResponseBody.redemption(try RedemptionScript.redemption(reply), request: r)) } catch {
                metrics.redisErrors.increment()
                logger.error("redeem script failed", metadata: ["error": "\(error)"])
                answer(
                    call, .error(.internalError, "the redemption could not be completed; retry with the same order id"))
            }
        case .reverse(_, let voucher, _, let order, _):
            do {
                answer(
                    call, ResponseBody.reversal(try RedemptionScript.reversal(reply), voucher: voucher, order: order))
            } catch {
                metrics.redisErrors.increment()
                logger.error("reverse script failed", metadata: ["error": "\(error)"])
                answer(call, .error(.internalError, "the reversal could not be completed; retry"))
            }
        }
    }

    /// Redis errors that mean "not now" rather than "wrong": loading its data after a restart,
    /// busy with a long script, out of memory, a replica that lost its master.
    static func isTransient(_ message: String) -> Bool {
        ["LOADING", "BUSY", "OOM", "MASTERDOWN", "TRYAGAIN", "READONLY"].contains { message.hasPrefix($0) }
    }

    /// Answers a call whose Redis connection failed before it replied.
    func fail(_ call: PendingCall) {
        if case .claims(let batch) = call.work {
            for i in 0..<batch.count { fail(batch.call(i, sentAt: call.sentAt)) }
            return
        }
        if case .claim(_, let index) = call.work {
            metrics.claim(.redisUnavailable, pool: index, nanoseconds: MonotonicClock.nanoseconds() - call.sentAt)
        }
        if case .wallet(let gather, _, _) = call.work {
            // Answer once, when the first part fails; later parts find it answered.
            guard !gather.answered else { return }
            gather.answered = true
        }
        if case .progress(_, _, _, let gather, _) = call.work {
            guard !gather.answered else { return }
            gather.answered = true
        }
        answer(call, .redisUnavailable())
    }
}

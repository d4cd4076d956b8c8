import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis

/// Who a request is from, or the 401 to answer.
enum Authentication {
    case person(PersonToken)
    case refused(GatewayResponse)
}

/// Request handling: routing, authentication, and what each route sends to Redis.
extension GatewayServer {
    func dispatch(_ request: HTTPRequest, on conn: HTTPConnection) {
        let seq = conn.reserveSlot()
        let keep = request.keepAlive
        let now = config.clock.now()
        switch Route(method: request.method, path: request.path) {
        case .health:
            answer(
                conn, seq, ResponseBody.health(redisReady: redisReady, programme: programme, now: now), keepAlive: keep,
                omitBody: request.method == .head)
        case .notFound:
            answer(conn, seq, .error(.notFound, "no such endpoint"), keepAlive: keep)
        case .methodNotAllowed(let allowed):
            answer(
                conn, seq, .error(.methodNotAllowed, "use \(allowed)", headers: "Allow: \(allowed)\r\n"),
                keepAlive: keep)
        case .progress(let poolID):
            guard let pool = programme.pool(id: poolID) else {
                return answer(conn, seq, .error(.unknownPool, "no pool \(poolID)"), keepAlive: keep)
            }
            let position = programme.position(of: pool, at: now)
            let window: ReleaseWindow
            switch position {
            case .open(let w), .upcoming(let w): window = w
            case .ended:
                return answer(
                    conn, seq,
                    ResponseBody.progress(pool: pool, position: position, counts: nil, calendar: programme.calendar),
                    keepAlive: keep)
            }
            guard admitRedisCall() else { return answer(conn, seq, .redisUnavailable(), keepAlive: keep) }
            let key = PoolKeys(pool: pool.id).window(window.id)
            send(
                [
                    Array("HMGET".utf8), Array(key.utf8), Array("released".utf8), Array("left".utf8),
                    Array("granted".utf8),
                ],
                PendingCall(
                    connection: conn.id, seq: seq, keepAlive: keep, work: .progress(pool, position),
                    sentAt: MonotonicClock.nanoseconds()))
        case .claim(let poolID):
            let person: PersonToken
            switch authenticate(request, now: now) {
            case .refused(let r): return answer(conn, seq, r, keepAlive: keep)
            case .person(let p): person = p
            }
            guard let pool = programme.pool(id: poolID) else {
                return answer(conn, seq, .error(.unknownPool, "no pool \(poolID)"), keepAlive: keep)
            }
            if let key = request.idempotencyKey, !Identifier.isValid(key) {
                return answer(
                    conn, seq, .error(.badRequest, "Idempotency-Key must be 1-64 characters of [A-Za-z0-9_.-]"),
                    keepAlive: keep)
            }
            // A claim needs no body; if one is sent it must at least be a JSON object.
            if !request.body.isEmpty, (try? FlatJSONObject(parsing: request.body)) == nil {
                return answer(conn, seq, .error(.badRequest, "body must be empty or a JSON object"), keepAlive: keep)
            }
            switch planner.plan(
                pool: pool, person: person.person, facts: person.facts, idempotencyKey: request.idempotencyKey, now: now
            )
            {
            case .answer(let outcome):
                answer(
                    conn, seq, ResponseBody.claim(outcome, pool: pool, calendar: programme.calendar, now: now),
                    keepAlive: keep)
            case .run(let claim):
                guard admitRedisCall() else { return answer(conn, seq, .redisUnavailable(), keepAlive: keep) }
                send(
                    ClaimScript.command(claim),
                    PendingCall(
                        connection: conn.id, seq: seq, keepAlive: keep, work: .claim(claim, attempt: 0),
                        sentAt: MonotonicClock.nanoseconds()))
            }
        case .wallet:
            let person: PersonToken
            switch authenticate(request, now: now) {
            case .refused(let r): return answer(conn, seq, r, keepAlive: keep)
            case .person(let p): person = p
            }
            guard admitRedisCall() else { return answer(conn, seq, .redisUnavailable(), keepAlive: keep) }
            let gather = WalletGather(person: person.person, parts: programme.pools.count)
            for pool in programme.pools {
                send(
                    WalletScript.command(pool: pool.id, person: person.person),
                    PendingCall(
                        connection: conn.id, seq: seq, keepAlive: keep,
                        work: .wallet(gather, pool: pool.id, attempt: 0),
                        sentAt: MonotonicClock.nanoseconds()))
            }
        }
    }

    private func authenticate(_ request: HTTPRequest, now: Instant) -> Authentication {
        guard let token = request.bearerToken else {
            let why = request.hasOtherAuthorization ? "Authorization must be a Bearer token" : "missing bearer token"
            return .refused(.error(.unauthorized, why, headers: "WWW-Authenticate: Bearer\r\n"))
        }
        switch verifier.verify(token, now: now) {
        case .success(let p): return .person(p)
        case .failure(let e):
            return .refused(
                .error(.unauthorized, e.reason, headers: "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"))
        }
    }

    /// False when Redis is down or too far behind: the caller answers 503 at once rather than
    /// queueing without bound.
    private func admitRedisCall() -> Bool { redisUsable && pendingCount < config.maxPendingRedisCalls }

    /// Handles the reply to `call`.
    func complete(_ call: PendingCall, _ reply: RedisReply) {
        let now = config.clock.now()
        switch call.work {
        case .claim(let claim, let attempt):
            if case .error(let m) = reply, m.hasPrefix("NOSCRIPT"), attempt == 0 {
                // Redis restarted and lost its script cache: EVAL sends the source and caches it.
                return send(
                    ClaimScript.command(claim, sendSource: true),
                    PendingCall(
                        connection: call.connection, seq: call.seq, keepAlive: call.keepAlive,
                        work: .claim(claim, attempt: 1), sentAt: MonotonicClock.nanoseconds()))
            }
            if case .error(let m) = reply, Self.isTransient(m) {
                // Nothing was granted (the script did not run): the client may retry.
                return answer(call, .redisUnavailable())
            }
            do {
                let outcome = try ClaimScript.outcome(reply, for: claim)
                answer(call, ResponseBody.claim(outcome, pool: claim.pool, calendar: programme.calendar, now: now))
            } catch {
                config.log("claim script failed: \(error)")
                answer(
                    call,
                    .error(.internalError, "the claim could not be completed; retry with the same Idempotency-Key"))
            }
        case .progress(let pool, let position):
            guard let items = reply.array, items.count == 3 else {
                return answer(call, .error(.internalError, "unexpected progress reply"))
            }
            let counts: (Int, Int, Int)? =
                items[0] == .null
                ? nil : (Int(items[0].integer ?? 0), Int(items[1].integer ?? 0), Int(items[2].integer ?? 0))
            answer(
                call,
                ResponseBody.progress(pool: pool, position: position, counts: counts, calendar: programme.calendar))
        case .wallet(let gather, let pool, let attempt):
            if case .error(let m) = reply, m.hasPrefix("NOSCRIPT"), attempt == 0 {
                return send(
                    WalletScript.command(pool: pool, person: gather.person, sendSource: true),
                    PendingCall(
                        connection: call.connection, seq: call.seq, keepAlive: call.keepAlive,
                        work: .wallet(gather, pool: pool, attempt: 1), sentAt: MonotonicClock.nanoseconds()))
            }
            gather.remaining -= 1
            do { gather.vouchers += try WalletScript.vouchers(reply, pool: pool) } catch {
                config.log("wallet script failed: \(error)")
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
        }
    }

    /// Redis errors that mean "not now" rather than "wrong": loading its data after a restart,
    /// busy with a long script, out of memory, a replica that lost its master.
    static func isTransient(_ message: String) -> Bool {
        ["LOADING", "BUSY", "OOM", "MASTERDOWN", "TRYAGAIN", "READONLY"].contains { message.hasPrefix($0) }
    }

    /// Answers a call whose Redis connection failed before it replied.
    func fail(_ call: PendingCall) {
        if case .wallet(let gather, _, _) = call.work {
            // Answer once, when the first part fails; later parts find it answered.
            guard !gather.answered else { return }
            gather.answered = true
        }
        answer(call, .redisUnavailable())
    }
}

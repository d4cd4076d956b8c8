import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// A claim Redis may have run is never answered "nothing was granted" (issue "No wrong answer
/// at the seams", defect 1).
@Suite struct GatewayUnknownOutcomeTests {
    let duringRelease = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))

    /// Whether the server runs the commands a client sent before it closed the connection, when
    /// they were still unread (it was busy) at the close: Redis 7 does; Valkey 9 drops them
    /// (found by scripts/valkey-check.sh). Either way the gateway's 504 is right: the outcome is
    /// unknown to it, and what Redis holds is the truth.
    func runsCommandsOfClosedClients(_ redis: TestRedis) throws -> Bool {
        guard case .bulk(let info)? = try? redis.client().command(["INFO", "server"]) else { return true }
        return !String(decoding: info, as: UTF8.self).contains("valkey_version")
    }

    /// A gateway with a 300 ms Redis timeout on a Redis of the test's own (it will be stalled).
    func gateway(limit: Int = 1) throws -> (TestRedis, Pool, GatewayHarness) {
        let redis = try TestRedis.isolated()
        let pool = TestProgramme.dailyPool(stock: 5, limit: limit, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: duringRelease, redis: redis.endpoint
        ) { $0.redisTimeoutMilliseconds = 300 }
        return (redis, pool, g)
    }

    @Test func aClaimSentToABusyRedisIs504OutcomeUnknownAndTheWalletShowsTheTruth() throws {
        // Two per window: a blind retry after a wrong "nothing was granted" would get a second.
        let (redis, pool, g) = try gateway(limit: 2)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let auth = ["Authorization": "Bearer \(g.token("patient"))"]
        // Connected, script cached and the window released before Redis is made busy.
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 200)
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth).status == 201)

        let done = redis.busy(milliseconds: 1500)
        let answer = try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth)
        #expect(answer.status == 504)
        #expect(answer.json["error"] as? String == "outcome_unknown")
        #expect((answer.json["message"] as? String)?.contains("Idempotency-Key") == true)
        #expect(c.lastHeader("Retry-After") == "1")
        #expect(done.wait(timeout: .now() + 10) == .success)

        // Redis ran it after all (Valkey dropped it): the wallet is the truth the 504 pointed to.
        let expected = try runsCommandsOfClosedClients(redis) ? 2 : 1
        var vouchers: [[String: Any]] = []
        for _ in 0..<50 {
            let wallet = try g.client().request("GET", "/v1/me/vouchers", headers: auth)
            vouchers = wallet.json["vouchers"] as? [[String: Any]] ?? []
            if wallet.status == 200, vouchers.count == expected { break }
            usleep(50_000)
        }
        #expect(vouchers.count == expected)
        let metrics = try g.client().request("GET", "/metrics").text
        #expect(metrics.contains(#"claimgate_claims_total{pool="\#(pool.id)",outcome="outcome_unknown"} 1"#))
    }

    @Test func aClaimThatNeverReachedRedisIs503NothingGranted() throws {
        let (redis, pool, g) = try gateway(limit: 2)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let auth = ["Authorization": "Bearer \(g.token("early"))"]
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 200)
        _ = try? redis.client().command(["SHUTDOWN", "NOSAVE"])
        usleep(200_000)
        let answer = try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth)
        #expect(answer.status == 503)
        #expect(answer.json["error"] as? String == "redis_unavailable")
    }

    @Test func aRedemptionSentToABusyRedisIs504AndTheSameOrderAgainIsAnsweredAsTheFirst() throws {
        let (redis, pool, g) = try gateway()
        defer { #expect(g.stop()) }
        let c = try g.client()
        let claimed = try c.request(
            "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token("payer"))"])
        let voucher = try #require((claimed.json["voucher"] as? [String: Any])?["id"] as? String)
        let till = ["Authorization": "Bearer \(g.merchantToken("m-1", categories: ["appliance-telecom-electronics"]))"]
        let code = try g.paymentCode(c, "payer", voucher: voucher)
        let body = #"{"voucher":"\#(voucher)","order":"o-1","amount_fen":600000,"payment_code":"\#(code)"}"#
        // redeem.lua cached before Redis is made busy (the script refuses a code never issued).
        let never = String(repeating: "x", count: 22)
        let unknown = #"{"voucher":"\#(voucher)","order":"o-0","amount_fen":600000,"payment_code":"\#(never)"}"#
        #expect(
            try c.request("POST", "/v1/redemptions", headers: till, body: unknown).json["error"] as? String
                == "payment_code_unknown")

        let done = redis.busy(milliseconds: 1200)
        let answer = try c.request("POST", "/v1/redemptions", headers: till, body: body)
        #expect(answer.status == 504)
        #expect(answer.json["error"] as? String == "outcome_unknown")
        #expect(done.wait(timeout: .now() + 10) == .success)
        var again = try g.client().request("POST", "/v1/redemptions", headers: till, body: body)
        for _ in 0..<20 where again.status == 503 {
            usleep(50_000)
            again = try g.client().request("POST", "/v1/redemptions", headers: till, body: body)
        }
        // The same order again is answered as the first went: a replay where Redis ran it.
        #expect(again.status == 200)
        #expect(again.json["replayed"] as? Bool == (try runsCommandsOfClosedClients(redis)))
    }
}

/// A Redis that may evict keys forgets releases and vouchers (issue "No wrong answer at the
/// seams", defect 2): the gateway checks `maxmemory-policy` on every connection, and anything
/// but `noeviction` keeps it from sending a single claim.
@Suite struct GatewayEvictionPolicyTests {
    let duringRelease = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))

    @Test func anEvictingRedisMakesHealthDegradedAndClaims503NamingTheSetting() throws {
        let redis = try TestRedis.isolated(arguments: "--maxmemory-policy allkeys-lru")
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: duringRelease, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        usleep(200_000)
        let health = try c.request("GET", "/healthz")
        #expect(health.status == 503)
        #expect(health.json["status"] as? String == "degraded")
        #expect((health.json["reason"] as? String)?.contains("maxmemory-policy") == true)
        let claim = try c.request(
            "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token("evicted"))"])
        #expect(claim.status == 503)
        #expect((claim.json["reason"] as? String)?.contains("maxmemory-policy is allkeys-lru") == true)
        // Nothing reached Redis: no window was released.
        #expect(try redis.client().command(["KEYS", "cg:*"]).array?.isEmpty == true)

        // Set right, the gateway serves again after its next reconnect.
        _ = try redis.client().command(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
        var status = 0
        for _ in 0..<50 where status != 201 {
            usleep(100_000)
            status = try c.request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token("evicted"))"]
            ).status
        }
        #expect(status == 201)
        #expect(try c.request("GET", "/healthz").status == 200)
    }
}

import ClaimCore
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// An operator's pause, as residents see it (issue "Release day in the operators' hands").
@Suite struct GatewayPauseTests {
    @Test func aPausedPoolIs409PausedWithTheReasonAndRetryAfterUntilResumed() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        func claim(_ person: String) throws -> Int { try g.claim(c, pool, person).status }
        // Paused before the window is even released: nothing is released by a claim.
        try PoolPause.pause(try redis.client(), pool: pool, reason: "a ticketing fault is being fixed")
        let answer = try g.claim(c, pool, "a")
        #expect(answer.status == 409)
        #expect(answer.json["error"] as? String == "paused")
        #expect(answer.json["reason"] as? String == "a ticketing fault is being fixed")
        #expect(c.lastHeader("Retry-After") == "30")
        #expect(try redis.client().command(["EXISTS", PoolKeys(pool: pool.id).window("2022-06-10")]).integer == 0)
        let progress = try c.request("GET", "/v1/pools/\(pool.id)")
        #expect(progress.json["state"] as? String == "paused")
        #expect(progress.json["paused_reason"] as? String == "a ticketing fault is being fixed")
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains(#"claimgate_claims_total{pool="\#(pool.id)",outcome="paused"} 1"#))
        try PoolPause.resume(try redis.client(), pool: pool)
        #expect(try claim("a") == 201)
        #expect(try c.request("GET", "/v1/pools/\(pool.id)").json["state"] as? String == "open")
    }
}

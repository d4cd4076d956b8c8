import ClaimCore
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// A person who holds their limit in a window is told `limit_reached` by the gateway itself
/// for the rest of it (`ReachedLimits`): the answer Redis would give, without a round trip
/// (rules.md: "sold out" and "limit reached" must be the cheapest answers).
@Suite struct GatewayReachedLimitTests {
    let duringRelease = TestProgramme.releaseInstant.adding(milliseconds: 1)

    /// A gateway on `redis` serving `pool` alone, at the release unless `clock` says otherwise.
    private func gateway(
        _ pool: Pool, on redis: TestRedis, clock: (any ClaimClock)? = nil,
        tune: (inout GatewayConfig) -> Void = { _ in }
    ) throws -> GatewayHarness {
        try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: clock ?? FixedClock(duringRelease),
            redis: redis.endpoint, tune: tune)
    }

    /// claim.lua calls this gateway made, and its limit_reached short circuits.
    private func counts(_ c: TestHTTPClient) throws -> (calls: Int, shortCircuits: Int) {
        let text = try c.request("GET", "/metrics").text
        func value(_ name: String) -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Int(Double(line.split(separator: " ")[1]) ?? -1)
            }
            return 0
        }
        return (value("claimgate_redis_claims_per_call_count"), value("claimgate_limit_reached_short_circuit_total"))
    }

    @Test func aTapAfterTheGrantIsAnsweredLimitReachedWithoutRedisAsRedisWouldAnswerIt() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try gateway(pool, on: redis)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let first = try c.request(
            "POST", "/v1/pools/\(pool.id)/claims",
            headers: ["Authorization": "Bearer \(g.token("a"))", "Idempotency-Key": "k1"])
        #expect(first.status == 201)
        #expect(try counts(c) == (1, 0))

        let again = try g.claim(c, pool, "a")
        #expect(again.status == 409)
        #expect(again.json["error"] as? String == "limit_reached")
        #expect(again.json["limit"] as? Int == 1)
        #expect(try counts(c) == (1, 1), "the second tap went to Redis")
        // A tap with a new Idempotency-Key goes to Redis, which answers the same bytes.
        let fromRedis = try c.request(
            "POST", "/v1/pools/\(pool.id)/claims",
            headers: ["Authorization": "Bearer \(g.token("a"))", "Idempotency-Key": "k2"])
        #expect(try counts(c) == (2, 1))
        #expect(fromRedis.status == 409)
        #expect(fromRedis.text == again.text)
        // A retry of the first claim still gets its grant from Redis.
        let replay = try c.request(
            "POST", "/v1/pools/\(pool.id)/claims",
            headers: ["Authorization": "Bearer \(g.token("a"))", "Idempotency-Key": "k1"])
        #expect(replay.status == 200)
        #expect(replay.json["replayed"] as? Bool == true)
        // Others are not marked by a's grant.
        #expect(try g.claim(c, pool, "b").status == 201)
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains(#"claimgate_claims_total{pool="\#(pool.id)",outcome="limit_reached"} 2"#))
        // Nothing was written for the refusals: a holds one voucher.
        let people = try redis.client().command(["HGET", PoolKeys(pool: pool.id).people("2022-06-10"), "a"]).text
        #expect(people == "1")
    }

    /// Where the limit is more than one, a grant says nothing about the count: the person is
    /// marked only when Redis answers limit_reached.
    @Test func aLimitOfTwoIsMarkedOnlyByRedissOwnLimitReached() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, limit: 2, autoOpen: true)
        let g = try gateway(pool, on: redis)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, pool, "a").status == 201)
        #expect(try g.claim(c, pool, "a").status == 201)
        #expect(try counts(c) == (2, 0))
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try counts(c) == (3, 0))
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try counts(c) == (3, 1))
    }

    /// The next day's window is a new limit: yesterday's mark does not refuse it.
    @Test func theNextWindowIsClaimedAgain() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let clock = SettableClock(duringRelease)
        let g = try gateway(pool, on: redis, clock: clock)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, pool, "a").status == 201)
        #expect(try g.claim(c, pool, "a").status == 409)
        #expect(try counts(c) == (1, 1))
        clock.set(duringRelease.adding(milliseconds: 86_400_000))
        let next = try g.claim(c, pool, "a")
        #expect(next.status == 201)
        #expect((next.json["voucher"] as? [String: Any])?["id"] as? String == "\(pool.id):2022-06-11:1")
    }

    /// A pause answered by Redis comes before the limit in claim.lua: once the loop hears it,
    /// marked people are told `paused` too, by Redis.
    @Test func aPauseHeardFromRedisDropsThePoolsMarks() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try gateway(pool, on: redis)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, pool, "a").status == 201)
        try PoolPause.pause(try redis.client(), pool: pool, reason: "checking the stock")
        #expect(try g.claim(c, pool, "b").json["error"] as? String == "paused")
        let a = try g.claim(c, pool, "a")
        #expect(a.json["error"] as? String == "paused")
        #expect(try counts(c) == (3, 0))
        try PoolPause.resume(try redis.client(), pool: pool)
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try counts(c) == (4, 1))
    }

    /// A Redis that comes back may have lost the last grants (a restart without the AOF, a
    /// promoted replica): after the reconnect Redis decides again, and here grants again.
    @Test func aReconnectForgetsTheMarks() throws {
        let redis = try TestRedis.isolated()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try gateway(pool, on: redis)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, pool, "a").status == 201)
        #expect(try g.claim(c, pool, "a").status == 409)
        #expect(try counts(c) == (1, 1))
        let admin = try redis.client()
        _ = try admin.command(["FLUSHALL"])
        _ = try admin.command(["CLIENT", "KILL", "TYPE", "normal"])
        var statuses: [Int] = []
        for _ in 0..<100 {
            let status = try g.claim(c, pool, "a").status
            statuses.append(status)
            if status == 201 { break }
            usleep(20_000)
        }
        #expect(statuses.last == 201, "\(statuses)")
        #expect(statuses.allSatisfy { [201, 409, 503].contains($0) }, "\(statuses)")
    }

    /// `--limit-marks 0`: every tap goes to Redis, as before.
    @Test func noMarksWhenTurnedOff() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try gateway(pool, on: redis) { $0.reachedLimitEntries = 0 }
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, pool, "a").status == 201)
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try g.claim(c, pool, "a").json["error"] as? String == "limit_reached")
        #expect(try counts(c) == (3, 0))
    }
}

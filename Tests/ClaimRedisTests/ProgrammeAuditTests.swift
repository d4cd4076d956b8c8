import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// `claimctl audit` across a split pool's segments, in bounded reads, past a broken key
/// (issue "No wrong answer at the seams", defect 6). Each test has a Redis of its own: the
/// audit reads every pool loaded.
@Suite struct ProgrammeAuditTests {
    let now = TestProgramme.releaseInstant.adding(milliseconds: 1000)

    /// A split pool (2 segments, limit 1, one use per programme) with one claim per person.
    func setUp(_ redis: TestRedis, people: [String]) throws -> (Pool, RedisClient) {
        let client = try redis.client()
        let pool = TestProgramme.dailyPool(stock: 10, useLimit: 1, segments: 2)
        let programme = TestProgramme.programme([pool])
        try ProgrammeStore(client: client).load(programme)
        for s in pool.segments {
            _ = try WindowScripts.open(client, pool: s.storageID, window: "2022-06-10", quota: 50, now: now)
        }
        for person in people {
            guard
                case .run(let r) = ClaimPlanner(programme: programme).plan(
                    pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: nil, now: now),
                case .granted = try ClaimScript.run(r, on: client)
            else { throw TestHTTPError("claim for \(person) failed") }
        }
        return (pool, client)
    }

    /// Gives `person` a consistent claim in the segment they do not hash to: each segment's own
    /// books balance, so only a check across segments can see it.
    func claimInTheOtherSegment(_ person: String, _ pool: Pool, _ client: RedisClient, redeem: Bool = false) throws {
        let own = pool.segment(of: person)
        let other = PoolSegment(pool: pool, index: 1 - own.index).storageID
        let k = PoolKeys(pool: other)
        let id = "\(other):2022-06-10:99"
        let record = try #require(
            try client.command(["HGET", PoolKeys(pool: own.storageID).vouchers, "\(own.storageID):2022-06-10:1"]).text)
        _ = try client.command(["HSET", k.vouchers, id, record])
        _ = try client.command(["HINCRBY", k.people("2022-06-10"), person, "1"])
        _ = try client.command(["HINCRBY", k.window("2022-06-10"), "granted", "1"])
        _ = try client.command(["HINCRBY", k.window("2022-06-10"), "left", "-1"])
        if redeem {
            _ = try client.command(["HSET", k.redeemed, id, "m|o|600000|1"])
            _ = try client.command(["HINCRBY", k.used, person, "1"])
            let ownID = "\(own.storageID):2022-06-10:1"
            _ = try client.command(["HSET", PoolKeys(pool: own.storageID).redeemed, ownID, "m|o2|600000|1"])
            _ = try client.command(["HINCRBY", PoolKeys(pool: own.storageID).used, person, "1"])
        }
    }

    @Test func aPersonInTwoSegmentsOverTheLimitAndTheUseLimitIsFound() throws {
        let redis = try TestRedis.isolated()
        // The first person's first voucher is number 1 in its segment.
        let (pool, client) = try setUp(redis, people: ["alice"])
        #expect(try ProgrammeAudit(client: client).run().problems.isEmpty)
        try claimInTheOtherSegment("alice", pool, client, redeem: true)
        let problems = try ProgrammeAudit(client: client).run().problems
        #expect(problems.contains { $0.contains("alice") && $0.contains("2 segments") })
        #expect(problems.contains { $0.contains("alice") && $0.contains("limit 1") && $0.contains("across") })
        #expect(
            problems.contains { $0.contains("alice") && $0.contains("redeemed 2") && $0.contains("programme limit 1") })
    }

    @Test func aWrongTypedKeyIsNamedAndTheOtherPoolsAreStillAudited() throws {
        let redis = try TestRedis.isolated()
        let (pool, client) = try setUp(redis, people: ["bob", "carol"])
        let broken = PoolKeys(pool: pool.segments[0].storageID).vouchers
        _ = try client.command(["DEL", broken])
        _ = try client.command(["SET", broken, "not a hash"])
        let findings = try ProgrammeAudit(client: client).run()
        #expect(findings.problems.contains { $0.contains(broken) && $0.contains("WRONGTYPE") })
        // The other segment was audited all the same.
        #expect(findings.windows >= 1)
    }

    @Test func itReadsInBoundedStepsNeverAWholeHash() throws {
        let redis = try TestRedis.isolated()
        let (_, client) = try setUp(redis, people: (0..<30).map { "p\($0)" })
        _ = try client.command(["CONFIG", "RESETSTAT"])
        let findings = try ProgrammeAudit(client: client, pageSize: 4).run()
        #expect(findings.problems.isEmpty)
        #expect(findings.vouchers == 30)
        let stats = try #require(try client.command(["INFO", "commandstats"]).text)
        for whole in ["hgetall", "smembers", "hkeys", "hvals"] {
            #expect(!stats.contains("cmdstat_\(whole):"), "the audit ran \(whole)")
        }
        #expect(stats.contains("cmdstat_hscan:"))
    }
}

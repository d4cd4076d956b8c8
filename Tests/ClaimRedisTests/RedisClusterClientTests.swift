import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// The blocking cluster client (claimctl's) against a real one-node cluster whose node is
/// reached through a proxy that holds one reply back past the client's timeout: a command that
/// may have run is never run again, unless its operation id makes a second run harmless.
@Suite(.serialized) struct RedisClusterClientTests {
    let cluster: TestRedisCluster
    let proxy: ReplyDelayProxy
    let direct: RedisClient
    let now = TestProgramme.releaseInstant

    init() throws {
        cluster = try TestRedisCluster(masters: 1)
        proxy = try ReplyDelayProxy(to: cluster.nodes[0].endpoint)
        direct = try cluster.nodes[0].client()
        // The node names the proxy as its address, so the client's every connection goes through it.
        _ = try direct.command(["CONFIG", "SET", "cluster-announce-port", String(proxy.port)]).orThrow()
        for script in LuaScript.all {
            _ = try direct.command([Array("SCRIPT".utf8), Array("LOAD".utf8), script.source])
        }
    }

    func client() throws -> RedisClusterClient {
        let c = try RedisClusterClient(seeds: [proxy.endpoint], timeoutMilliseconds: 400)
        #expect(c.map.masters == [proxy.endpoint])
        return c
    }

    @Test func aWriteWhoseReplyIsLostIsNotSentAgain() throws {
        let c = try client()
        proxy.holdReply(after: "INCR", for: 1200)
        #expect(throws: RedisError.self) { try c.command(["INCR", "{p}:counter"]) }
        do {
            _ = try c.command(["INCR", "{p}:counter"])
        } catch {}
        usleep(1_000_000)
        // Once by the call that timed out, once by the second call: never by a resend.
        #expect(try direct.command(["GET", "{p}:counter"]) == .bulk(Array("2".utf8)))
    }

    @Test func theLostReplyIsReportedAsAnUnknownOutcome() throws {
        let c = try client()
        proxy.holdReply(after: "INCR", for: 1200)
        do {
            _ = try c.command(["INCR", "{q}:counter"])
            Issue.record("a lost reply was not reported")
        } catch .outcomeUnknown {
        } catch {
            Issue.record("reported as \(error), not as an unknown outcome")
        }
    }

    @Test func aMoveWhoseReplyIsLostIsAppliedOnce() throws {
        _ = try WindowScripts.open(direct, pool: "hot.s1", window: "w", quota: 2000, now: now)
        let c = try client()
        proxy.holdReply(after: LuaScript.move.sha1, for: 1200)
        let moved = try #require(try WindowScripts.move(c, pool: "hot.s1", window: "w", change: 300, now: now))
        #expect(moved.applied == 300)
        usleep(1_000_000)
        let counts = try ProgrammeStore(client: direct).counts(pool: "hot.s1", window: "w")
        #expect(counts?.released == 2300)
        #expect(counts?.left == 2300)
    }

    @Test func aResetWhoseReplyIsLostWhileClaimsComeInIsAppliedOnce() throws {
        let key = PoolKeys(pool: "busy").window("w")
        _ = try WindowScripts.open(direct, pool: "busy", window: "w", quota: 100, now: now)
        _ = try direct.command(["HINCRBY", key, "left", "-50"])
        _ = try direct.command(["HINCRBY", key, "granted", "50"])
        let c = try client()
        proxy.holdReply(after: LuaScript.reset.sha1, for: 1200)
        // Claims land while the reset's reply is held back.
        let node = cluster.nodes[0].endpoint
        let claims = Thread {
            usleep(200_000)
            let other = try? RedisClient(node)
            _ = try? other?.command(["HINCRBY", key, "left", "-10"])
            _ = try? other?.command(["HINCRBY", key, "granted", "10"])
        }
        claims.start()
        let reset = try #require(try WindowScripts.reset(c, pool: "busy", window: "w", quota: 100, now: now))
        #expect(reset.released == 150)
        usleep(1_000_000)
        let counts = try ProgrammeStore(client: direct).counts(pool: "busy", window: "w")
        #expect(counts?.released == 150)
        #expect(counts?.granted == 60)
        #expect(counts?.left == 90)
    }
}

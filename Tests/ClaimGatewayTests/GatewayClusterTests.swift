import ClaimCore
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// The gateway on a real two-master cluster whose pool's slot moves while it runs, started as
/// `--wait-replicas 1` is (each write answered after a WAIT; these masters have no replicas,
/// so every WAIT ends at its timeout): a claim redirected by MOVED or ASK is answered.
@Suite(.serialized) struct GatewayClusterTests {
    let cluster: TestRedisCluster
    let pool = TestProgramme.dailyPool(stock: 10)
    let duringRelease = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))
    var slot: Int { HashSlot.of(Array(PoolKeys(pool: pool.id).window("2022-06-10").utf8)) }

    init() throws {
        cluster = try TestRedisCluster(masters: 2)
    }

    func gateway() throws -> GatewayHarness {
        let from = try cluster.node(ofSlot: slot)
        _ = try WindowScripts.open(
            try cluster.nodes[from].client(), pool: pool.id, window: "2022-06-10", quota: 10,
            now: TestProgramme.releaseInstant)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: duringRelease, redis: cluster.seeds[0]
        ) { config in
            config.clusterSeeds = cluster.seeds
            config.waitReplicas = 1
            config.waitTimeoutMilliseconds = 20
        }
        // Ready once it has the slot map and a link to every master.
        for _ in 0..<100 where try g.client().request("GET", "/healthz").status != 200 { usleep(20_000) }
        return g
    }

    func claim(_ g: GatewayHarness, _ person: String) throws -> Int {
        let r = try g.client().request(
            "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token(person))"])
        return r.status
    }

    @Test func aClaimRedirectedByMovedIsAnswered() throws {
        let g = try gateway()
        defer { #expect(g.stop()) }
        #expect(try claim(g, "u1") == 201)
        let from = try cluster.node(ofSlot: slot)
        try cluster.moveSlot(slot, from: from, to: 1 - from)
        #expect(try claim(g, "u2") == 201)
        #expect(try claim(g, "u3") == 201)
    }

    /// While the slot migrates, the window's keys are on the importing node and the others are
    /// nowhere: a one-key read is answered there after ASK, and a claim (a script on several
    /// keys, some missing) is refused there with TRYAGAIN, answered 503, and granted nothing.
    @Test func callsRedirectedByAskAreAnswered() throws {
        let g = try gateway()
        defer { #expect(g.stop()) }
        #expect(try claim(g, "u1") == 201)
        let from = try cluster.node(ofSlot: slot)
        try cluster.beginMove(slot, from: from, to: 1 - from)
        let progress = try g.client().request("GET", "/v1/pools/\(pool.id)")
        #expect(progress.status == 200)
        #expect(progress.json["granted"] as? Int == 1)
        #expect(try claim(g, "u2") == 503)
        try cluster.finishMove(slot, to: 1 - from)
        // The refused claim granted nothing: the person is not over the limit of 1.
        #expect(try claim(g, "u2") == 201)
    }
}

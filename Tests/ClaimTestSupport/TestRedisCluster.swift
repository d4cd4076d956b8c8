import ClaimRedis
import Foundation

/// A real Redis Cluster of `masters` nodes (no replicas) for one test, each node a
/// redis-server of its own (`TestRedis.isolated`), the 16,384 slots split evenly between them.
/// Moving a slot (`moveSlot`) is what `redis-cli --cluster reshard` does, one slot at a time.
public final class TestRedisCluster: Sendable {
    public let nodes: [TestRedis]

    public init(masters: Int) throws {
        precondition(masters >= 1)
        var nodes: [TestRedis] = []
        for _ in 0..<masters {
            nodes.append(try TestRedis.isolated(arguments: "--cluster-enabled yes --cluster-node-timeout 5000"))
        }
        self.nodes = nodes
        let per = HashSlot.count / masters
        for (i, node) in nodes.enumerated() {
            let c = try node.client()
            let last = i == masters - 1 ? HashSlot.count - 1 : (i + 1) * per - 1
            _ = try c.command(["CLUSTER", "ADDSLOTSRANGE", String(i * per), String(last)]).orThrow()
            if i > 0, let bus = nodes[0].clusterBusPort {
                _ = try c.command(["CLUSTER", "MEET", "127.0.0.1", String(nodes[0].endpoint.port), String(bus)])
                    .orThrow()
            }
        }
        try waitUntilSettled()
    }

    /// `redis+cluster://` seeds for every node.
    public var seeds: [RedisEndpoint] { nodes.map(\.endpoint) }

    /// The node serving `slot` now.
    public func node(ofSlot slot: Int) throws -> Int {
        let map = try ClusterSlotMap(
            clusterSlots: try nodes[0].client().command(["CLUSTER", "SLOTS"]).orThrow(), seed: nodes[0].endpoint)
        guard let m = map.master(ofSlot: slot), let i = nodes.firstIndex(where: { $0.endpoint == map.masters[m] })
        else { throw TestRedisError("slot \(slot) is not served") }
        return i
    }

    /// Moves `slot` and its keys from node `from` to node `to`, as a reshard does: importing,
    /// migrating, MIGRATE of every key (`beginMove`), then the slot assigned on both nodes.
    public func moveSlot(_ slot: Int, from: Int, to: Int) throws {
        try beginMove(slot, from: from, to: to)
        try finishMove(slot, to: to)
    }

    /// The first half of a move: the slot is migrating and its keys are on `to`, so `from`
    /// answers ASK for them.
    public func beginMove(_ slot: Int, from: Int, to: Int) throws {
        let source = try nodes[from].client()
        let target = try nodes[to].client()
        let sourceID = try Self.text(source.command(["CLUSTER", "MYID"]))
        let targetID = try Self.text(target.command(["CLUSTER", "MYID"]))
        _ = try target.command(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]).orThrow()
        _ = try source.command(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID]).orThrow()
        while true {
            let keys = try source.command(["CLUSTER", "GETKEYSINSLOT", String(slot), "100"]).orThrow().array ?? []
            if keys.isEmpty { break }
            let names = keys.compactMap(\.text)
            _ = try source.command(
                ["MIGRATE", "127.0.0.1", String(nodes[to].endpoint.port), "", "0", "5000", "KEYS"] + names
            ).orThrow()
        }
    }

    /// The second half: the slot belongs to `to`, for every node.
    public func finishMove(_ slot: Int, to: Int) throws {
        let targetID = try Self.text(nodes[to].client().command(["CLUSTER", "MYID"]))
        for n in nodes { _ = try n.client().command(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID]).orThrow() }
        try waitUntilSettled()
    }

    /// Until every node says `cluster_state:ok` and agrees on who serves every slot (10 s at most).
    public func waitUntilSettled() throws {
        for _ in 0..<200 {
            var ok = true
            for n in nodes {
                let info = (try? n.client().command(["CLUSTER", "INFO"]).text) ?? nil
                if info?.contains("cluster_state:ok") != true { ok = false }
            }
            // Each node's view as "first slot of each range -> port", which every node must share.
            let views = nodes.map { n -> [Int: Int]? in
                guard let reply = try? n.client().command(["CLUSTER", "SLOTS"]),
                    let map = try? ClusterSlotMap(clusterSlots: reply, seed: n.endpoint)
                else { return nil }
                var view: [Int: Int] = [:]
                for m in map.masters.indices { for s in map.slots(of: m) { view[s] = map.masters[m].port } }
                return view.count == HashSlot.count ? view : nil
            }
            if ok, let first = views.first ?? nil, views.allSatisfy({ $0 == first }) { return }
            usleep(50_000)
        }
        throw TestRedisError("the test cluster did not settle in 10 s")
    }

    private static func text(_ reply: RedisReply) throws -> String {
        guard let t = reply.text else { throw TestRedisError("unexpected reply \(reply)") }
        return t
    }
}

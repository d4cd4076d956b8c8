import Glibc

/// A blocking Redis Cluster client: learns the slot map from `CLUSTER SLOTS` on the first seed
/// that answers, sends each command to the master of its key's slot, follows `MOVED` (and
/// relearns the map) and `ASK` (`ASKING`, then the command, once), and waits out a failover
/// (`CLUSTERDOWN`, `TRYAGAIN`, a master that stopped answering) for a bounded time.
/// One connection per node, opened on first use. One thread at a time.
public final class RedisClusterClient: RedisCommands {
    public let seeds: [RedisEndpoint]
    public private(set) var map: ClusterSlotMap
    private var nodes: [RedisEndpoint: RedisClient] = [:]
    private let timeoutMilliseconds: Int
    /// How long a command keeps retrying through redirections and failovers.
    public var retryBudgetMilliseconds = 10_000

    public init(seeds: [RedisEndpoint], timeoutMilliseconds: Int = 2000) throws(RedisError) {
        guard !seeds.isEmpty else { throw .connection("no cluster seeds") }
        self.seeds = seeds
        self.timeoutMilliseconds = timeoutMilliseconds
        map = ClusterSlotMap(masters: [], ranges: [])
        try refresh()
    }

    public var nodeCount: Int { map.masters.count }

    /// Relearns the slot map from the first node that answers: known masters, then seeds.
    public func refresh() throws(RedisError) {
        var last: RedisError = .connection("no cluster node answered")
        for endpoint in map.masters + seeds {
            do throws(RedisError) {
                let reply = try node(endpoint).command(["CLUSTER", "SLOTS"])
                if case .error(let m) = reply { throw .server(m) }
                map = try ClusterSlotMap(clusterSlots: reply, seed: endpoint)
                return
            } catch {
                nodes[endpoint] = nil
                last = error
            }
        }
        throw last
    }

    /// A command on the master of its key's slot (keyless: the first master).
    public func command(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        let slot = RedisCommandKey.of(args).map(HashSlot.of)
        let deadline = Self.milliseconds() + retryBudgetMilliseconds
        var target = try master(for: slot)
        var asking = false
        while true {
            let reply: RedisReply
            do throws(RedisError) {
                let client = try node(target)
                if asking { _ = try client.command(["ASKING"]) }
                reply = try client.command(args)
            } catch {
                // The node went away (a master killed): wait for its replica's promotion.
                nodes[target] = nil
                guard Self.milliseconds() < deadline else { throw error }
                usleep(100_000)
                try? refresh()
                target = try master(for: slot)
                asking = false
                continue
            }
            guard case .error(let message) = reply else { return reply }
            if let redirect = ClusterRedirect(message) {
                guard Self.milliseconds() < deadline else { return reply }
                target = redirect.endpoint(like: seeds[0])
                asking = redirect.kind == .ask
                if redirect.kind == .moved { try? refresh() }
                continue
            }
            if message.hasPrefix("CLUSTERDOWN") || message.hasPrefix("TRYAGAIN"), Self.milliseconds() < deadline {
                usleep(100_000)
                try? refresh()
                target = try master(for: slot)
                asking = false
                continue
            }
            return reply
        }
    }

    /// Sends `args` to every master (SCRIPT FLUSH, INFO): the replies, in `map.masters` order.
    public func commandOnEveryMaster(_ args: [String]) throws(RedisError) -> [RedisReply] {
        var out: [RedisReply] = []
        for m in map.masters { out.append(try node(m).command(args)) }
        return out
    }

    private func master(for slot: Int?) throws(RedisError) -> RedisEndpoint {
        guard let slot else {
            guard let first = map.masters.first else { throw .connection("the cluster has no masters") }
            return first
        }
        guard let i = map.master(ofSlot: slot) else { throw .server("CLUSTERDOWN slot \(slot) is not served") }
        return map.masters[i]
    }

    private func node(_ endpoint: RedisEndpoint) throws(RedisError) -> RedisClient {
        if let c = nodes[endpoint] { return c }
        let c = try RedisClient(endpoint, timeoutMilliseconds: timeoutMilliseconds)
        nodes[endpoint] = c
        return c
    }

    private static func milliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}

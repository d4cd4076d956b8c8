import ClaimPOSIX
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
    private let policy = RedisRoutePolicy()

    /// Bounds the retry budget.
    private let clock: any LoopClock

    public init(seeds: [RedisEndpoint], timeoutMilliseconds: Int = 2000, clock: any LoopClock = SystemLoopClock())
        throws(RedisError)
    {
        guard !seeds.isEmpty else { throw .connection("no cluster seeds") }
        self.seeds = seeds
        self.clock = clock
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

    /// A command on the master of its key's slot (keyless: the first master), redirected,
    /// sent with its script's source and retried through a failover as `RedisRoutePolicy`
    /// decides, for at most `retryBudgetMilliseconds`. A command that was written and got no
    /// reply is sent again only if `resend` is `.safe`: otherwise `.outcomeUnknown` is thrown,
    /// since Redis may have run it (a reset or a move run twice would release stock twice).
    public func perform(resend: RedisResend, _ command: (_ sendSource: Bool) -> [[UInt8]]) throws(RedisError)
        -> RedisReply
    {
        let slot = RedisCommandKey.of(command(false)).map(HashSlot.of)
        let deadline = milliseconds() + retryBudgetMilliseconds
        var attempt = RedisRoutePolicy.Attempt(resend: resend)
        var target = try master(for: slot)
        var asking = false
        while true {
            let decision: RedisRoutePolicy.Decision
            let canWait = milliseconds() < deadline
            var failure: RedisError?
            do throws(RedisError) {
                let client = try node(target)
                if asking { _ = try client.send([Array("ASKING".utf8)]) }
                let reply = try client.send(command(attempt.sentSource))
                guard case .error(let message) = reply else { return reply }
                decision = policy.afterError(message, &attempt, canWait: canWait)
                if decision == .answer { return reply }
                failure = .server(message)
            } catch {
                // The node went away (a master killed, a reply too late): a new connection next.
                nodes[target] = nil
                failure = error
                if case .outcomeUnknown(let why) = error {
                    decision = policy.afterLoss(why, written: true, attempt, canWait: canWait)
                } else {
                    decision = policy.afterLoss("\(error)", written: false, attempt, canWait: canWait)
                }
            }
            asking = false
            switch decision {
            case .answer, .sendSource: continue
            case .follow(let redirect):
                target = redirect.endpoint(like: seeds[0])
                asking = redirect.kind == .ask
                if redirect.kind == .moved { try? refresh() }
            case .retry:
                usleep(100_000)
                try? refresh()
                target = try master(for: slot)
            case .fail(.outcomeUnknown(let why)): throw .outcomeUnknown(why)
            case .fail(.notRun):
                // Out of time or redirections: the last refusal or connection error, as it came.
                throw failure ?? .connection("no cluster node answered")
            }
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

    private func milliseconds() -> Int { Int(clock.nanoseconds() / 1_000_000) }
}

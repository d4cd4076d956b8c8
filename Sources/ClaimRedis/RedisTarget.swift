/// What `--redis` names: one Redis (`redis://[user@]host:port[/db]`) or a Redis Cluster by
/// its seed nodes (`redis+cluster://[user@]h1:p1,h2:p2,...`; clusters have no databases).
public enum RedisTarget: Hashable, Sendable, CustomStringConvertible {
    case single(RedisEndpoint)
    case cluster([RedisEndpoint])

    public init?(url: String) {
        let prefix = "redis+cluster://"
        guard url.hasPrefix(prefix) else {
            guard let e = RedisEndpoint(url: url) else { return nil }
            self = .single(e)
            return
        }
        var rest = Substring(url.dropFirst(prefix.count))
        var user = ""
        if let at = rest.firstIndex(of: "@") {
            user = String(rest[...at])
            rest = rest[rest.index(after: at)...]
        }
        let seeds = rest.split(separator: ",", omittingEmptySubsequences: false).map {
            RedisEndpoint(url: "redis://" + user + $0)
        }
        guard !seeds.isEmpty, seeds.count <= 64, seeds.allSatisfy({ $0 != nil && $0?.database == 0 }) else {
            return nil
        }
        self = .cluster(seeds.compactMap { $0 })
    }

    /// The first node to talk to (the only one, for a single Redis).
    public var first: RedisEndpoint {
        switch self {
        case .single(let e): e
        case .cluster(let seeds): seeds[0]
        }
    }

    /// The same target with `password` for every node.
    public func with(password: String) -> RedisTarget {
        func set(_ e: RedisEndpoint) -> RedisEndpoint {
            var e = e
            e.password = password
            return e
        }
        switch self {
        case .single(let e): return .single(set(e))
        case .cluster(let seeds): return .cluster(seeds.map(set))
        }
    }

    /// A blocking connection (claimctl, verdicts, tests).
    public func connect() throws(RedisError) -> any RedisCommands {
        switch self {
        case .single(let e): try RedisClient(e)
        case .cluster(let seeds): try RedisClusterClient(seeds: seeds)
        }
    }

    public var description: String {
        switch self {
        case .single(let e): e.description
        case .cluster(let seeds):
            "redis+cluster://" + (seeds[0].username.map { "\($0)@" } ?? "")
                + seeds.map { "\($0.host):\($0.port)" }.joined(separator: ",")
        }
    }
}

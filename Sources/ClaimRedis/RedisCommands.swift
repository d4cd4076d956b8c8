/// Blocking request/reply access to Redis, one node (`RedisClient`) or a cluster
/// (`RedisClusterClient`): what `claimctl`, `claimload`'s verdict and the tests use. The
/// gateway's event loop never blocks and uses `RedisPipeline` instead.
public protocol RedisCommands: AnyObject {
    /// Sends one command and waits for its reply. Error replies come back as `.error`.
    func command(_ args: [[UInt8]]) throws(RedisError) -> RedisReply
    /// Every master (one for a single node): for the commands an audit or stats must send to
    /// each (SCAN-like enumeration is not used; this is for per-node checks such as INFO).
    var nodeCount: Int { get }
}

extension RedisCommands {
    public func command(_ args: [String]) throws(RedisError) -> RedisReply {
        try command(args.map { Array($0.utf8) })
    }

    /// Runs a script by its SHA1; after a Redis restart (NOSCRIPT) sends the source once with
    /// EVAL, which also caches it again.
    public func run(_ script: LuaScript, keys: [String], args: [String]) throws(RedisError) -> RedisReply {
        let reply = try command(script.command(keys: keys, arguments: args))
        if reply.isNoScript {
            return try command(script.command(keys: keys, arguments: args, sendSource: true)).orThrow()
        }
        return try reply.orThrow()
    }
}

/// Blocking request/reply access to Redis, one node (`RedisClient`) or a cluster
/// (`RedisClusterClient`): what `claimctl`, `claimload`'s verdict and the tests use. The
/// gateway's event loop never blocks and uses `RedisPipeline` instead.
public protocol RedisCommands: AnyObject {
    /// Sends the command `command(false)` (its script's source, `command(true)`, after NOSCRIPT)
    /// and waits for its answer, redirected and retried as `RedisRoutePolicy` decides: after a
    /// lost reply only if `resend` is `.safe`. Error replies come back as `.error`; a command
    /// that may have run without an answer throws `.outcomeUnknown`.
    func perform(resend: RedisResend, _ command: (_ sendSource: Bool) -> [[UInt8]]) throws(RedisError) -> RedisReply
    /// Every master (one for a single node): for the commands an audit or stats must send to
    /// each (SCAN-like enumeration is not used; this is for per-node checks such as INFO).
    var nodeCount: Int { get }
}

extension RedisCommands {
    /// One command, resent after a lost reply only if it is a read (`RedisResend.of`).
    public func command(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        try perform(resend: RedisResend.of(args)) { _ in args }
    }

    /// One command whose caller knows whether running it twice is harmless.
    public func command(_ args: [[UInt8]], resend: RedisResend) throws(RedisError) -> RedisReply {
        try perform(resend: resend) { _ in args }
    }

    public func command(_ args: [String]) throws(RedisError) -> RedisReply {
        try command(args.map { Array($0.utf8) })
    }

    public func command(_ args: [String], resend: RedisResend) throws(RedisError) -> RedisReply {
        try command(args.map { Array($0.utf8) }, resend: resend)
    }

    /// Runs a script by its SHA1 (its source with EVAL after NOSCRIPT, which also caches it
    /// again). `resend: .safe` only for scripts that take an operation id.
    public func run(_ script: LuaScript, keys: [String], args: [String], resend: RedisResend = .never)
        throws(RedisError) -> RedisReply
    {
        try perform(resend: resend) { sendSource in
            script.command(keys: keys, arguments: args, sendSource: sendSource)
        }.orThrow()
    }
}

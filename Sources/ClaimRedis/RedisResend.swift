/// Whether a command that may have reached Redis can be sent again: the one rule for resends,
/// applied by `RedisRoutePolicy` for every client. A command Redis refused without running it
/// (MOVED, ASK, NOSCRIPT, TRYAGAIN, a connection that broke before it was written) may always
/// go again; one that was written and got no reply only if running it twice is harmless.
public enum RedisResend: Hashable, Sendable {
    /// Running it twice changes nothing the first run did not: a read, a write of fixed values
    /// (HSET of a loaded setting, SADD), or a script that records its operation id atomically
    /// with its change and answers a second run with the first result (`OperationID`).
    case safe
    /// Running it twice could change more (a claim, a counter): after a lost reply its outcome
    /// is reported unknown, never guessed by resending.
    case never

    /// The rule for a plain command by its name: reads are safe, anything else is not (a caller
    /// that knows better says so: `RedisCommands.command(_:resend:)`).
    public static func of(_ args: [[UInt8]]) -> RedisResend {
        guard let name = args.first, name.count <= 16 else { return .never }
        let upper = String(decoding: name.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
        return readOnly.contains(upper) ? .safe : .never
    }

    /// Commands that change nothing.
    private static let readOnly: Set<String> = [
        "GET", "MGET", "HGET", "HMGET", "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "SMEMBERS", "SISMEMBER",
        "SCARD", "EXISTS", "TYPE", "TTL", "PTTL", "SCAN", "HSCAN", "SSCAN", "PING", "INFO", "DBSIZE",
        "TIME",
    ]
}

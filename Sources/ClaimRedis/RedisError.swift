/// A failure talking to Redis.
public enum RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Could not connect, or the connection broke before the command was fully written: Redis
    /// did not run it.
    case connection(String)
    /// The command was written and no reply came (the connection broke, or the reply was too
    /// late): Redis may or may not have run it. Never resent unless running it twice is
    /// harmless (`RedisResend.safe`).
    case outcomeUnknown(String)
    /// Redis answered with an error reply (`ERR ...`, `NOSCRIPT ...`).
    case server(String)
    /// The reply did not have the shape the caller expects.
    case unexpectedReply(String)
    /// Redis is set up in a way that breaks a promise (`RedisServerSettings`): nothing is sent.
    case misconfigured(String)

    public var description: String {
        switch self {
        case .connection(let m): "redis connection: \(m)"
        case .outcomeUnknown(let m): "redis outcome unknown (the command was sent; no reply): \(m)"
        case .server(let m): "redis error: \(m)"
        case .unexpectedReply(let m): "unexpected redis reply: \(m)"
        case .misconfigured(let m): m
        }
    }
}

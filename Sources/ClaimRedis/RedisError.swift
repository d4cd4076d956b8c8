/// A failure talking to Redis.
public enum RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Could not connect, or the connection broke.
    case connection(String)
    /// Redis answered with an error reply (`ERR ...`, `NOSCRIPT ...`).
    case server(String)
    /// The reply did not have the shape the caller expects.
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .connection(let m): "redis connection: \(m)"
        case .server(let m): "redis error: \(m)"
        case .unexpectedReply(let m): "unexpected redis reply: \(m)"
        }
    }

}

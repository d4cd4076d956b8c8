/// A cluster's answer that a slot lives elsewhere: `-MOVED 3999 127.0.0.1:6381` (for good:
/// refresh the map) or `-ASK 3999 127.0.0.1:6381` (during a migration: ask there once, after
/// `ASKING`).
public struct ClusterRedirect: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case moved, ask }
    public let kind: Kind
    public let slot: Int
    public let host: String
    public let port: Int

    /// Reads an error reply's text; nil if it is not a redirection.
    public init?(_ error: String) {
        let parts = error.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        switch parts[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        self.slot = slot
        host = String(parts[2][..<colon])
        self.port = port
    }

    /// The node to go to, with `like`'s credentials (an empty host: `like`'s host).
    public func endpoint(like seed: RedisEndpoint) -> RedisEndpoint {
        RedisEndpoint(
            host: host.isEmpty ? seed.host : host, port: port, database: 0, username: seed.username,
            password: seed.password)
    }
}

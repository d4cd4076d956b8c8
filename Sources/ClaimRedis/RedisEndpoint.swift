/// Where Redis is: `redis://host:port[/db]`. Only TCP on an IPv4 address or `localhost`.
public struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let database: Int

    public init(host: String, port: Int, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `redis://host:port[/db]`; nil when anything is off.
    public init?(url: String) {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        var db = 0
        if let slash = rest.firstIndex(of: "/") {
            guard let d = Int(rest[rest.index(after: slash)...]), (0...15).contains(d) else { return nil }
            db = d
            rest = rest[..<slash]
        }
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return nil }
        self.init(host: rest == "localhost" ? "127.0.0.1" : String(rest), port: port, database: db)
    }

    public var description: String { "redis://\(host):\(port)" + (database == 0 ? "" : "/\(database)") }
}

/// Where Redis is and who we are to it: `redis://[user@]host:port[/db]`. Only TCP on an IPv4
/// address or `localhost`. The password never comes from the URL (it would show in `ps` and
/// in logs): the executables set it from the environment (`RedisCredentials`).
public struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let database: Int
    /// The Redis ACL user (`AUTH user password`); nil: the default user.
    public var username: String?
    public var password: String?

    public init(host: String, port: Int, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses `redis://[user@]host:port[/db]`; nil when anything is off (a password in the
    /// URL included).
    public init?(url: String) {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        var user: String?
        if let at = rest.firstIndex(of: "@") {
            let name = rest[..<at]
            guard !name.isEmpty, !name.contains(":"), name.utf8.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            else { return nil }
            user = String(name)
            rest = rest[rest.index(after: at)...]
        }
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
        self.init(host: rest == "localhost" ? "127.0.0.1" : String(rest), port: port, database: db, username: user)
    }

    /// The AUTH command to send first on every connection, if there are credentials.
    public var authCommand: [String]? {
        guard let password else { return nil }
        if let username { return ["AUTH", username, password] }
        return ["AUTH", password]
    }

    public var description: String {
        "redis://" + (username.map { "\($0)@" } ?? "") + "\(host):\(port)" + (database == 0 ? "" : "/\(database)")
    }
}

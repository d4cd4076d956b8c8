/// `host:port` as given to `--listen` and `--url`.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (IPv4 or `localhost`); also accepts an `http://` prefix and a path.
    public init?(_ text: String) {
        var t = Substring(text)
        if t.hasPrefix("http://") { t = t.dropFirst(7) }
        if let slash = t.firstIndex(of: "/") { t = t[..<slash] }
        guard let colon = t.lastIndex(of: ":"), let p = Int(t[t.index(after: colon)...]), (0...65535).contains(p),
            colon > t.startIndex
        else { return nil }
        let h = String(t[..<colon])
        self.init(host: h == "localhost" ? "127.0.0.1" : h, port: p)
    }

    public var description: String { "\(host):\(port)" }
}

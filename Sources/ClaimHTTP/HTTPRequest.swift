/// The request methods the gateway routes; anything else is kept as `.other`.
public enum HTTPMethod: Hashable, Sendable {
    case get, head, post, put, delete, other
}

/// A parsed HTTP/1.1 request: only what the gateway uses is kept.
public struct HTTPRequest: Hashable, Sendable {
    public var method: HTTPMethod
    /// The path part of the target (`/v1/pools/appliance-500/claims`), without the query.
    public var path: String
    /// The query string after `?`, if any.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// False when the client asked to close (or spoke HTTP/1.0 without keep-alive).
    public var keepAlive: Bool
    /// The bytes after `Bearer ` in `Authorization`, if present.
    public var bearerToken: [UInt8]?
    /// True when an `Authorization` header was present but not a Bearer one.
    public var hasOtherAuthorization: Bool
    public var idempotencyKey: String?
    public var body: [UInt8]

    public init(
        method: HTTPMethod, path: String, query: String? = nil, minorVersion: Int = 1, keepAlive: Bool = true,
        bearerToken: [UInt8]? = nil, hasOtherAuthorization: Bool = false, idempotencyKey: String? = nil,
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.keepAlive = keepAlive
        self.bearerToken = bearerToken
        self.hasOtherAuthorization = hasOtherAuthorization
        self.idempotencyKey = idempotencyKey
        self.body = body
    }
}

/// The request methods the gateway routes; anything else is kept as `.other`.
public enum HTTPMethod: Hashable, Sendable {
    case get, head, post, put, delete, other
}

/// A parsed HTTP/1.1 request with its own copies of the parts the gateway uses: for tests,
/// tools and anything that keeps a request. The event loop reads requests in place instead
/// (`HTTPRequestView`).
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

    /// Copies a request read in place.
    public init(_ view: HTTPRequestView) {
        let h = view.head
        func text(_ r: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[r]), as: UTF8.self)
        }
        self.init(
            method: h.method, path: text(h.path), query: h.query.map(text), minorVersion: h.minorVersion,
            keepAlive: h.keepAlive, bearerToken: view.bearerToken.map { Array($0) },
            hasOtherAuthorization: h.hasOtherAuthorization, idempotencyKey: h.idempotencyKey.map(text),
            body: Array(view.body))
    }
}

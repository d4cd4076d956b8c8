/// The request methods the gateway routes; anything else is kept as `.other`.
public enum HTTPMethod: Hashable, Sendable {
    case get, head, post, put, delete, options, other
}

/// A parsed HTTP/1.1 request with its own copies of its parts: for tests,
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
    /// The values of the fields the parser was asked for, by index (nil: absent).
    public var fields: [[UInt8]?]
    public var body: [UInt8]

    public init(
        method: HTTPMethod, path: String, query: String? = nil, minorVersion: Int = 1, keepAlive: Bool = true,
        fields: [[UInt8]?] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.keepAlive = keepAlive
        self.fields = fields
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
            keepAlive: h.keepAlive,
            fields: (0..<HeaderFieldRanges.capacity).map { i in view.field(i).map { Array($0) } },
            body: Array(view.body))
    }
}

/// A parsed request head as positions in the bytes it was parsed from: nothing is copied, so
/// reading a request costs no allocation. Only meaningful together with those bytes (see
/// `HTTPRequestView`); `HTTPRequest` is the owned form. Only the parser makes one (with the
/// memberwise initialiser).
public struct HTTPRequestHead: Hashable, Sendable {
    public var method: HTTPMethod
    /// The path part of the target (`/v1/pools/appliance-500/claims`), without the query.
    public var path: Range<Int>
    /// The query string after `?`, if any.
    public var query: Range<Int>?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion = 1
    /// False when the client asked to close (or spoke HTTP/1.0 without keep-alive).
    public var keepAlive = true
    /// The bytes after `Bearer ` in `Authorization`, if present.
    public var bearerToken: Range<Int>?
    /// True when an `Authorization` header was present but not a Bearer one.
    public var hasOtherAuthorization = false
    public var idempotencyKey: Range<Int>?
    /// Empty (at the end of the head) when there is no body.
    public var body: Range<Int>
}

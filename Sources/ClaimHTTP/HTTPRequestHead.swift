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
    /// The values of the fields the application asked for, by their index in its list: the
    /// parser reads only the fields HTTP itself needs (Content-Length, Connection,
    /// Transfer-Encoding) and knows no application header's meaning.
    public var fields = HeaderFieldRanges()
    /// Empty (at the end of the head) when there is no body.
    public var body: Range<Int>
}

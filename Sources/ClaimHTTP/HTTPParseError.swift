/// Why request bytes were refused. Each maps to the status the server answers before closing.
public enum HTTPParseError: Error, Hashable, Sendable {
    case malformed(String)
    case headersTooLarge
    case bodyTooLarge
    case uriTooLong
    case unsupportedVersion
    /// `Transfer-Encoding` (chunked bodies) is not supported.
    case transferEncodingNotSupported

    public var status: Int {
        switch self {
        case .malformed: 400
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .uriTooLong: 414
        case .unsupportedVersion: 505
        case .transferEncodingNotSupported: 501
        }
    }

    public var message: String {
        switch self {
        case .malformed(let why): "malformed request: \(why)"
        case .headersTooLarge: "request head too large"
        case .bodyTooLarge: "request body too large"
        case .uriTooLong: "request target too long"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .transferEncodingNotSupported: "Transfer-Encoding is not supported; send Content-Length"
        }
    }
}

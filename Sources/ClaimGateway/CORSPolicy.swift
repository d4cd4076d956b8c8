import ClaimCore
import ClaimHTTP

/// Which web origins (a resident app served from `https://app.example`) may call the API from a
/// browser, and the headers that say so. An allowed origin's answers carry its
/// `Access-Control-Allow-Origin` through `HTTPAnswerSlot.headerSet`, so every answer to it (a
/// grant, a pre-rendered refusal, a 503) says it without each endpoint knowing; any other
/// origin is answered as usual with no such header, and its browser keeps the answer from the
/// page. No cookies are involved (tokens travel in `Authorization`), so no credentials mode.
public struct CORSPolicy: Sendable {
    /// Exact origins, as browsers send them: scheme, host, optional port.
    public let origins: [String]
    private let originBytes: [[UInt8]]

    /// Throws for the first entry that is not an origin.
    public init(origins: [String]) throws(CORSPolicy.Problem) {
        for o in origins where !Self.isOrigin(o) {
            throw Problem(origin: o)
        }
        self.init(checked: origins)
    }

    private init(checked origins: [String]) {
        self.origins = origins
        originBytes = origins.map { Array($0.utf8) }
    }

    /// No origin allowed: browsers keep every answer from other sites' pages.
    public static let none = CORSPolicy(checked: [])

    /// An entry of `--cors-origin` that is not `scheme://host[:port]`.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let origin: String
        public var description: String {
            "--cors-origin \(origin): not an origin (scheme://host[:port], no path, as a browser sends it)"
        }
    }

    public var isEmpty: Bool { origins.isEmpty }

    /// The header blocks, by `headerSet` - 1 (`HTTPServerSettings.answerHeaderSets`).
    var answerHeaderSets: [String] {
        origins.map {
            "Access-Control-Allow-Origin: \($0)\r\nAccess-Control-Expose-Headers: ETag, Retry-After, WWW-Authenticate\r\n"
                + "Vary: Origin\r\n"
        }
    }

    /// The header set for a request's `Origin`, 0 when it is not allowed (or absent).
    func headerSet(origin: UnsafeRawBufferPointer) -> UInt8 {
        for (i, o) in originBytes.enumerated() where o.withUnsafeBytes({ ByteMatch.equal($0, origin) }) {
            return UInt8(i + 1)
        }
        return 0
    }

    /// The preflight's answer headers (the origin's own come from its header set): what the
    /// path takes, the request headers the API reads, and how long a browser may remember it.
    static func preflightHeaders(allowed methods: String) -> String {
        "Access-Control-Allow-Methods: \(methods)\r\n"
            + "Access-Control-Allow-Headers: Authorization, Content-Type, Idempotency-Key, If-None-Match\r\n"
            + "Access-Control-Max-Age: 600\r\nAllow: \(methods)\r\n"
    }

    /// `scheme://host[:port]` with an http(s) scheme and nothing after the authority.
    static func isOrigin(_ s: String) -> Bool {
        let rest: Substring
        if s.hasPrefix("https://") {
            rest = s.dropFirst(8)
        } else if s.hasPrefix("http://") {
            rest = s.dropFirst(7)
        } else {
            return false
        }
        guard !rest.isEmpty, rest.count <= 253 else { return false }
        return rest.utf8.allSatisfy { b in
            (b >= 97 && b <= 122) || (b >= 48 && b <= 58) || b == 45 || b == 46 || (b >= 65 && b <= 90) || b == 91
                || b == 93
        }
    }
}

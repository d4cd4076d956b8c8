import ClaimCore
import Glibc

/// An incremental HTTP/1.1 request parser in the style of picohttpparser: it is handed the
/// bytes received so far and answers "need more", "error", or one request and how many bytes
/// it used. It keeps no state between calls and never traps on input; every length is bounded.
///
/// Strict where leniency has been exploited (request smuggling): CRLF only, no obsolete line
/// folding, no NUL or control bytes, exactly one `Content-Length`, no `Transfer-Encoding`.
public struct HTTPRequestParser: Sendable {
    public var maxHeadBytes: Int
    public var maxHeaders: Int
    public var maxBodyBytes: Int
    public var maxTargetBytes: Int
    /// The header fields whose values the application wants (lowercase names; at most
    /// `HeaderFieldRanges.capacity`), found in `HTTPRequestHead.fields` by their index here.
    public let fields: [StaticString]

    public init(
        maxHeadBytes: Int = 8192, maxHeaders: Int = 64, maxBodyBytes: Int = 16384, maxTargetBytes: Int = 2048,
        fields: [StaticString] = []
    ) {
        precondition(fields.count <= HeaderFieldRanges.capacity, "at most \(HeaderFieldRanges.capacity) fields")
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaders = maxHeaders
        self.maxBodyBytes = maxBodyBytes
        self.maxTargetBytes = maxTargetBytes
        self.fields = fields
    }

    /// A request with its own copies of its parts (tests, tools, the fuzz target).
    public enum Result: Hashable, Sendable {
        case incomplete
        case request(HTTPRequest, consumed: Int)
        case failed(HTTPParseError)
    }

    /// A request as positions in the bytes parsed (the event loop: nothing is copied).
    public enum HeadResult: Hashable, Sendable {
        case incomplete
        /// The head is complete and asks for `100 Continue` before its body is sent (RFC 9110
        /// 10.1.1); the body is not all here yet.
        case continueExpected
        case request(HTTPRequestHead, consumed: Int)
        case failed(HTTPParseError)
    }

    /// Parses one request and copies what it holds.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Result {
        switch parseHead(bytes) {
        case .incomplete, .continueExpected: .incomplete
        case .failed(let e): .failed(e)
        case .request(let head, let consumed):
            .request(HTTPRequest(HTTPRequestView(head: head, bytes: bytes)), consumed: consumed)
        }
    }

    /// Parses one request in place: its parts are ranges of `bytes`.
    public func parseHead(_ bytes: UnsafeRawBufferPointer) -> HeadResult {
        let n = bytes.count
        guard let headEnd = HeadBoundary.end(in: bytes, limit: maxHeadBytes) else {
            // A target too long is a 414 however long the head has grown.
            if targetTooLong(bytes) { return .failed(.uriTooLong) }
            if n >= maxHeadBytes { return .failed(.headersTooLarge) }
            // Refuse early what can never become valid, so garbage does not wait for a timeout.
            if let e = earlyError(bytes) { return .failed(e) }
            return .incomplete
        }
        var line = Lines(bytes: bytes, end: headEnd)
        guard let requestLine = line.next() else { return .failed(.malformed("empty request")) }
        var request: HTTPRequestHead
        switch parseRequestLine(bytes, requestLine) {
        case .failure(let e): return .failed(e)
        case .success(let r): request = r
        }
        var contentLength: Int?
        var connectionClose = false
        var connectionKeepAlive = false
        var hosts = 0
        var expectsContinue = false
        var headerCount = 0
        while let h = line.next() {
            if h.isEmpty { break }
            headerCount += 1
            guard headerCount <= maxHeaders else { return .failed(.headersTooLarge) }
            guard let colon = Self.index(of: UInt8(ascii: ":"), in: bytes, h), colon > h.lowerBound else {
                return .failed(.malformed("header without a name"))
            }
            for j in h.lowerBound..<colon where !Self.isTokenByte(bytes[j]) {
                return .failed(.malformed("bad header name"))
            }
            var vs = colon + 1
            var ve = h.upperBound
            while vs < ve, bytes[vs] == 32 || bytes[vs] == 9 { vs += 1 }
            while ve > vs, bytes[ve - 1] == 32 || bytes[ve - 1] == 9 { ve -= 1 }
            guard FieldValue.isClean(bytes, vs..<ve) else {
                return .failed(.malformed("control byte in a header value"))
            }
            let name = h.lowerBound..<colon
            let value = vs..<ve
            // Names are told apart by their length first, so each field costs one comparison at
            // most before the application's own (every request passes here).
            switch name.count {
            case 4 where Self.equalsLowercase(bytes, name, "host"):
                hosts += 1
            case 6 where Self.equalsLowercase(bytes, name, "expect"):
                expectsContinue = Self.equalsLowercase(bytes, value, "100-continue")
            case 10 where Self.equalsLowercase(bytes, name, "connection"):
                if Self.containsLowercase(bytes, value, "close") { connectionClose = true }
                if Self.containsLowercase(bytes, value, "keep-alive") { connectionKeepAlive = true }
            case 14 where Self.equalsLowercase(bytes, name, "content-length"):
                guard contentLength == nil else { return .failed(.malformed("more than one Content-Length")) }
                guard !value.isEmpty, value.count <= 10, value.allSatisfy({ bytes[$0] >= 48 && bytes[$0] <= 57 }) else {
                    return .failed(.malformed("bad Content-Length"))
                }
                var v = 0
                for j in value { v = v * 10 + Int(bytes[j] - 48) }
                contentLength = v
            case 17 where Self.equalsLowercase(bytes, name, "transfer-encoding"):
                return .failed(.transferEncodingNotSupported)
            default:
                for (i, wanted) in fields.enumerated() where Self.equalsLowercase(bytes, name, wanted) {
                    // Two values of one field are ambiguous (which did a proxy act on?): refused.
                    guard request.fields[i] == nil else { return .failed(.malformed("repeated \(wanted) header")) }
                    request.fields[i] = value
                }
            }
        }
        request.keepAlive = request.minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose
        let length = contentLength ?? 0
        guard length <= maxBodyBytes else { return .failed(.bodyTooLarge) }
        // RFC 9112 3.2: an HTTP/1.1 request names its host exactly once (a proxy and the
        // server might otherwise act on different ones); HTTP/1.0 may leave it out.
        if hosts > 1 { return .failed(.malformed("more than one Host header")) }
        if hosts == 0, request.minorVersion == 1 { return .failed(.malformed("missing Host header")) }
        guard n - headEnd >= length else { return expectsContinue ? .continueExpected : .incomplete }
        request.body = headEnd..<(headEnd + length)
        return .request(request, consumed: headEnd + length)
    }

    private func parseRequestLine(_ b: UnsafeRawBufferPointer, _ r: Range<Int>)
        -> Swift.Result<HTTPRequestHead, HTTPParseError>
    {
        guard let sp1 = Self.index(of: 32, in: b, r) else { return .failure(.malformed("bad request line")) }
        guard let sp2 = Self.index(of: 32, in: b, (sp1 + 1)..<r.upperBound) else {
            return .failure(.malformed("bad request line"))
        }
        let method = r.lowerBound..<sp1
        let requestTarget = (sp1 + 1)..<sp2
        let version = (sp2 + 1)..<r.upperBound
        guard !method.isEmpty, method.allSatisfy({ Self.isTokenByte(b[$0]) }) else {
            return .failure(.malformed("bad method"))
        }
        guard requestTarget.count <= maxTargetBytes else { return .failure(.uriTooLong) }
        guard !requestTarget.isEmpty, requestTarget.allSatisfy({ b[$0] > 32 && b[$0] < 127 }) else {
            return .failure(.malformed("bad request target"))
        }
        // The origin form (`/path?query`), or the absolute form (`http://host/path?query`)
        // that servers must accept (RFC 9112 3.2.2): its path is the part after the authority,
        // and an empty one means `/`.
        var pathStart = requestTarget.lowerBound
        if b[pathStart] != UInt8(ascii: "/") {
            guard let authority = Self.absoluteFormAuthority(b, requestTarget) else {
                return .failure(.malformed("bad request target"))
            }
            let end = Self.index(of: UInt8(ascii: "?"), in: b, authority) ?? requestTarget.upperBound
            pathStart = Self.index(of: UInt8(ascii: "/"), in: b, authority.lowerBound..<end) ?? end
        }
        let target = pathStart..<requestTarget.upperBound
        guard version.count == 8, Self.equalsLowercase(b, version.lowerBound..<(version.lowerBound + 5), "http/"),
            b[version.lowerBound + 6] == UInt8(ascii: ".")
        else { return .failure(.malformed("bad HTTP version")) }
        guard b[version.lowerBound + 5] == UInt8(ascii: "1"),
            b[version.lowerBound + 7] == UInt8(ascii: "0") || b[version.lowerBound + 7] == UInt8(ascii: "1")
        else {
            return .failure(.unsupportedVersion)
        }
        // Methods are case-sensitive (RFC 9110): compare bytes, no string is built.
        func isMethod(_ name: StaticString) -> Bool {
            ByteMatch.equal(UnsafeRawBufferPointer(rebasing: b[method]), name)
        }
        let m: HTTPMethod =
            if isMethod("POST") { .post } else if isMethod("GET") { .get } else if isMethod("HEAD") {
                .head
            } else if isMethod("OPTIONS") {
                .options
            } else if isMethod("PUT") { .put } else if isMethod("DELETE") { .delete } else { .other }
        var path = target
        var query: Range<Int>?
        if let q = Self.index(of: UInt8(ascii: "?"), in: b, target) {
            path = target.lowerBound..<q
            query = (q + 1)..<target.upperBound
        }
        return .success(
            HTTPRequestHead(
                method: m, path: path, query: query, minorVersion: Int(b[version.lowerBound + 7] - 48),
                body: r.upperBound..<r.upperBound))
    }

    /// For `http://` or `https://` targets, the part after the scheme (authority, path, query).
    private static func absoluteFormAuthority(_ b: UnsafeRawBufferPointer, _ target: Range<Int>) -> Range<Int>? {
        let t = target.lowerBound
        if target.count > 7, equalsLowercase(b, t..<(t + 7), "http://") { return (t + 7)..<target.upperBound }
        if target.count > 8, equalsLowercase(b, t..<(t + 8), "https://") { return (t + 8)..<target.upperBound }
        return nil
    }

    /// True when the request line's target, complete or not, is already longer than allowed:
    /// a method, a space, then more than `maxTargetBytes` bytes with no space or CR.
    private func targetTooLong(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count > maxTargetBytes + 1, let sp = Self.index(of: 32, in: b, 0..<min(b.count, 32)) else {
            return false
        }
        let end = min(b.count, sp + 2 + maxTargetBytes)
        guard end - (sp + 1) > maxTargetBytes else { return false }
        return Self.index(of: 32, in: b, (sp + 1)..<end) == nil && Self.index(of: 13, in: b, (sp + 1)..<end) == nil
    }

    /// The first `byte` in `b[r]` (memchr: vectorised).
    private static func index(of byte: UInt8, in b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, let base = b.baseAddress, let p = memchr(base + r.lowerBound, Int32(byte), r.count) else {
            return nil
        }
        return base.distance(to: UnsafeRawPointer(p))
    }

    /// An error visible before the head is complete: a bare LF, a NUL, or a control byte.
    private func earlyError(_ b: UnsafeRawBufferPointer) -> HTTPParseError? {
        for i in 0..<b.count {
            let c = b[i]
            if c == 10, i == 0 || b[i - 1] != 13 { return .malformed("bare LF") }
            if c == 0 { return .malformed("NUL byte") }
            if c == 13, i + 1 < b.count, b[i + 1] != 10 { return .malformed("bare CR") }
        }
        return nil
    }

    /// Iterates the CRLF-terminated lines of a complete head. A stray CR or LF inside a line
    /// stays in it and is refused by the per-field checks (control bytes).
    private struct Lines {
        let bytes: UnsafeRawBufferPointer
        let end: Int
        var pos = 0

        mutating func next() -> Range<Int>? {
            guard pos < end, let base = bytes.baseAddress else { return nil }
            var i = pos
            // memchr finds each CR with vector instructions; a CR without its LF is skipped
            // here and refused later as a control byte in the line.
            while i + 1 < end {
                guard let cr = memchr(base + i, 13, end - 1 - i) else { return nil }
                i = base.distance(to: UnsafeRawPointer(cr))
                if bytes[i + 1] == 10 { break }
                i += 1
            }
            guard i + 1 < end else { return nil }
            let r = pos..<i
            pos = i + 2
            return r
        }
    }

    /// RFC 9110 token characters, as two bit masks (bytes 0-63 and 64-127): every byte of
    /// every header name goes through here. `tokenByteSwitch` is the same set written out.
    static func isTokenByte(_ c: UInt8) -> Bool {
        c < 64
            ? (0x03FF_6CFA_0000_0000 as UInt64) >> c & 1 == 1
            : c < 128 && (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (c - 64) & 1 == 1
    }

    /// The token set as RFC 9110 lists it, for the test that checks the masks against it.
    static func tokenByteSwitch(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Case-insensitive comparison with a lowercase literal, read straight from its bytes
    /// (a `String`'s UTF-8 view costs more per character than the comparison itself).
    @inline(__always)
    static func equalsLowercase(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ lower: StaticString) -> Bool {
        let k = lower.utf8CodeUnitCount
        guard r.count == k else { return false }
        let l = lower.utf8Start
        var i = r.lowerBound
        for j in 0..<k {
            var x = b[i]
            if x >= 65, x <= 90 { x += 32 }
            if x != l[j] { return false }
            i += 1
        }
        return true
    }

    static func containsLowercase(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ lower: StaticString) -> Bool {
        let k = lower.utf8CodeUnitCount
        guard r.count >= k else { return false }
        for s in r.lowerBound...(r.upperBound - k) where equalsLowercase(b, s..<(s + k), lower) { return true }
        return false
    }
}

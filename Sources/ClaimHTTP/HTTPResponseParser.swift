/// A parsed response, as a client (`claimload`, tests) sees it.
public struct HTTPResponse: Hashable, Sendable {
    public var status: Int
    public var keepAlive: Bool
    public var body: [UInt8]
}

/// Parses HTTP/1.1 responses with `Content-Length` bodies, incrementally and stateless like
/// `HTTPRequestParser`: for clients of the gateway, which always sends `Content-Length`.
public struct HTTPResponseParser: Sendable {
    public var maxHeadBytes = 16384
    public var maxBodyBytes = 4 * 1024 * 1024

    public init() {}

    public enum Result: Hashable, Sendable {
        case incomplete
        case response(HTTPResponse, consumed: Int)
        case failed(String)
    }

    /// `toHead`: the response answers a HEAD request, so it has no body whatever its
    /// `Content-Length` says; nor do 1xx, 204 and 304 (RFC 9112 6.3).
    public func parse(_ b: UnsafeRawBufferPointer, toHead: Bool = false) -> Result {
        let n = b.count
        guard let headEnd = HeadBoundary.end(in: b, limit: maxHeadBytes) else {
            return n >= maxHeadBytes ? .failed("response head too large") : .incomplete
        }
        guard headEnd >= 16, HTTPRequestParser.equalsLowercase(b, 0..<5, "http/"), b[8] == 32,
            let status = Self.digits(b, 9..<12)
        else { return .failed("bad status line") }
        var keepAlive = !(b[5] == UInt8(ascii: "1") && b[7] == UInt8(ascii: "0"))
        var length = 0
        // Header lines run from after the status line to the blank line that ends the head.
        var lineStart = 0
        while !(b[lineStart] == 13 && b[lineStart + 1] == 10) { lineStart += 1 }
        lineStart += 2
        while lineStart < headEnd - 2 {
            var e = lineStart
            while !(b[e] == 13 && b[e + 1] == 10) { e += 1 }
            if let colon = (lineStart..<e).firstIndex(where: { b[$0] == UInt8(ascii: ":") }) {
                var vs = colon + 1
                while vs < e, b[vs] == 32 { vs += 1 }
                if HTTPRequestParser.equalsLowercase(b, lineStart..<colon, "content-length") {
                    guard let v = Self.digits(b, vs..<e), v <= maxBodyBytes else {
                        return .failed("bad Content-Length")
                    }
                    length = v
                } else if HTTPRequestParser.equalsLowercase(b, lineStart..<colon, "connection") {
                    keepAlive = !HTTPRequestParser.containsLowercase(b, vs..<e, "close")
                }
            }
            lineStart = e + 2
        }
        if toHead || status == 204 || status == 304 || status < 200 { length = 0 }
        guard n - headEnd >= length else { return .incomplete }
        let body = Array(UnsafeRawBufferPointer(rebasing: b[headEnd..<(headEnd + length)]))
        return .response(HTTPResponse(status: status, keepAlive: keepAlive, body: body), consumed: headEnd + length)
    }

    private static func digits(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 10 else { return nil }
        var v = 0
        for i in r {
            guard b[i] >= 48, b[i] <= 57 else { return nil }
            v = v * 10 + Int(b[i] - 48)
        }
        return v
    }
}

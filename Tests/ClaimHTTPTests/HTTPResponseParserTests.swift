import Testing

@testable import ClaimHTTP

@Suite struct HTTPResponseParserTests {
    func parse(_ b: [UInt8]) -> HTTPResponseParser.Result { b.withUnsafeBytes { HTTPResponseParser().parse($0) } }

    @Test func readsWhatTheWriterWrites() {
        var out: [UInt8] = []
        HTTPResponseWriter.append(status: 201, body: Array(#"{"a":1}"#.utf8), keepAlive: true, to: &out)
        HTTPResponseWriter.append(
            status: 409, body: Array("{}".utf8), keepAlive: false, extraHeaders: "Retry-After: 1\r\n", to: &out)
        guard case .response(let first, let n) = parse(out), case .response(let second, let m) = parse(Array(out[n...]))
        else {
            Issue.record("not parsed")
            return
        }
        #expect(first == HTTPResponse(status: 201, keepAlive: true, body: Array(#"{"a":1}"#.utf8)))
        #expect(second.status == 409)
        #expect(!second.keepAlive)
        #expect(n + m == out.count)
        for cut in 0..<n { #expect(parse(Array(out[..<cut])) == .incomplete) }
    }

    @Test func refusesGarbage() {
        if case .response = parse(Array("NOPE 200 OK\r\n\r\n".utf8)) { Issue.record("accepted garbage") }
        if case .response = parse(Array("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n".utf8)) {
            Issue.record("accepted bad length")
        }
    }
}

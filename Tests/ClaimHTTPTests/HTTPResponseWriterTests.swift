import Testing

@testable import ClaimHTTP

@Suite struct HTTPResponseWriterTests {
    @Test func framesStatusLengthAndClose() {
        var out: [UInt8] = []
        HTTPResponseWriter.append(status: 429, body: Array("{}".utf8), keepAlive: false, to: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
    }

    @Test func headAnswersKeepTheLengthButNotTheBody() {
        var out: [UInt8] = []
        HTTPResponseWriter.append(status: 200, body: Array("{}".utf8), keepAlive: true, omitBody: true, to: &out)
        #expect(String(decoding: out, as: UTF8.self).hasSuffix("Content-Length: 2\r\n\r\n"))
    }
}

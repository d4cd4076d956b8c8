import ClaimCore
import Testing

@testable import ClaimHTTP

@Suite struct HTTPRequestParserTests {
    /// Asked for two application fields, as the gateway's server is.
    let parser = HTTPRequestParser(fields: ["authorization", "idempotency-key"])

    func parse(_ s: String) -> HTTPRequestParser.Result { parse(Array(s.utf8)) }
    func parse(_ b: [UInt8]) -> HTTPRequestParser.Result { b.withUnsafeBytes { parser.parse($0) } }

    let claim =
        "POST /v1/pools/appliance-500/claims?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer abc.def.ghi\r\n"
        + "Idempotency-Key: k-1\r\nContent-Length: 2\r\n\r\n{}"

    @Test func parsesAClaim() {
        guard case .request(let r, let n) = parse(claim) else {
            Issue.record("not parsed")
            return
        }
        #expect(n == claim.utf8.count)
        #expect(r.method == .post)
        #expect(r.path == "/v1/pools/appliance-500/claims")
        #expect(r.query == "x=1")
        #expect(r.fields[0] == Array("Bearer abc.def.ghi".utf8))
        #expect(r.fields[1] == Array("k-1".utf8))
        #expect(r.body == Array("{}".utf8))
        #expect(r.keepAlive)
    }

    @Test func theHeadNamesTheSameBytesInPlace() {
        let bytes = Array(claim.utf8)
        bytes.withUnsafeBytes { b in
            guard case .request(let head, let n) = parser.parseHead(b) else {
                Issue.record("not parsed")
                return
            }
            #expect(n == bytes.count)
            func text(_ r: Range<Int>?) -> String? { r.map { String(decoding: b[$0], as: UTF8.self) } }
            #expect(head.method == .post)
            #expect(text(head.path) == "/v1/pools/appliance-500/claims")
            #expect(text(head.query) == "x=1")
            #expect(text(head.fields[0]) == "Bearer abc.def.ghi")
            #expect(text(head.fields[1]) == "k-1")
            #expect(head.fields[2] == nil)
            #expect(text(head.body) == "{}")
        }
    }

    @Test func fieldsNobodyAskedForAreNotKeptAndARepeatedOneIsRefused() {
        let plain = Array(claim.utf8).withUnsafeBytes { HTTPRequestParser().parse($0) }
        guard case .request(let r, _) = plain else {
            Issue.record("not parsed")
            return
        }
        #expect(r.fields.allSatisfy { $0 == nil })
        let twice = "GET / HTTP/1.1\r\nHost: t\r\nIdempotency-Key: a\r\nidempotency-key: b\r\n\r\n"
        #expect(parse(twice) == .failed(.malformed("repeated idempotency-key header")))
    }

    @Test func aControlByteAnywhereInALongValueIsRefused() {
        // Long enough for the word-at-a-time check, with the byte in every position of a word.
        let token = String(repeating: "t", count: 40)
        for position in 0..<token.utf8.count {
            for bad: UInt8 in [0, 1, 8, 10, 13, 31, 127] {
                var value = Array(token.utf8)
                value[position] = bad
                let bytes =
                    Array("GET / HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ".utf8) + value + Array("\r\n\r\n".utf8)
                guard case .failed = parse(bytes) else {
                    Issue.record("byte \(bad) at \(position) accepted")
                    return
                }
            }
        }
    }

    @Test func theTokenMasksAreRFC9110sTokenSet() {
        for c in 0...255 {
            #expect(HTTPRequestParser.isTokenByte(UInt8(c)) == HTTPRequestParser.tokenByteSwitch(UInt8(c)), "byte \(c)")
        }
    }

    @Test func waitsForMoreAtEverySplitPoint() {
        let bytes = Array(claim.utf8)
        for cut in 0..<bytes.count { #expect(parse(Array(bytes[..<cut])) == .incomplete, "cut at \(cut)") }
    }

    @Test func takesPipelinedRequestsOneAtATime() {
        let three = Array(
            (claim + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /v1/me/vouchers HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").utf8
        )
        var offset = 0
        var paths: [String] = []
        var keep: [Bool] = []
        while offset < three.count, case .request(let r, let n) = parse(Array(three[offset...])) {
            paths.append(r.path)
            keep.append(r.keepAlive)
            offset += n
        }
        #expect(paths == ["/v1/pools/appliance-500/claims", "/healthz", "/v1/me/vouchers"])
        #expect(keep == [true, true, false])
        #expect(offset == three.count)
    }

    @Test func honoursHTTP10KeepAliveRules() {
        guard case .request(let a, _) = parse("GET / HTTP/1.0\r\n\r\n"),
            case .request(let b, _) = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        else {
            Issue.record("not parsed")
            return
        }
        #expect(!a.keepAlive)
        #expect(b.keepAlive)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\nHo\0st: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\n: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\nX: a\u{1}b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 999999\r\n\r\n", 413),
        ("GET / HTTP/2.0\r\n\r\n", 505),
        ("GET / HTTX/1.1\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET relative HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET /\u{7F} HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: t\r\nbad\rx", 400),
    ])
    func refusesMalformedRequestsWithTheRightStatus(input: String, status: Int) {
        guard case .failed(let e) = parse(input) else {
            Issue.record("accepted \(input.debugDescription)")
            return
        }
        #expect(e.status == status, "\(input.debugDescription)")
    }

    @Test func boundsTheHeadAndTheTarget() {
        let long = "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-A: b\r\n", count: 2000)
        #expect(parse(long) == .failed(.headersTooLarge))
        let many = "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X: y\r\n", count: 65) + "\r\n"
        #expect(parse(many) == .failed(.headersTooLarge))
        #expect(
            parse("GET /" + String(repeating: "a", count: 3000) + " HTTP/1.1\r\nHost: t\r\n\r\n")
                == .failed(.uriTooLong))
    }

    @Test func aTargetTooLongIs414BeforeTheHeadEnds() {
        // 100 KiB of target and no end of line: the head limit (8 KiB) is not what is wrong.
        #expect(parse("GET /" + String(repeating: "a", count: 100 * 1024)) == .failed(.uriTooLong))
        #expect(parse("GET /" + String(repeating: "a", count: 2040)) == .incomplete)
    }

    @Test func http11NeedsExactlyOneHost() {
        #expect(parse("GET / HTTP/1.1\r\n\r\n") == .failed(.malformed("missing Host header")))
        #expect(
            parse("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == .failed(.malformed("more than one Host header")))
        guard case .request(let r, _) = parse("GET / HTTP/1.0\r\n\r\n") else {
            Issue.record("HTTP/1.0 without Host refused")
            return
        }
        #expect(!r.keepAlive)
    }

    @Test func theAbsoluteFormGivesItsPathAndQuery() {
        for (target, path, query) in [
            ("http://h:80/v1/me/vouchers?a=1", "/v1/me/vouchers", "a=1"), ("HTTPS://h/x", "/x", nil),
            ("http://h?q=/p", "", "q=/p"), ("http://h", "", nil),
        ] as [(String, String, String?)] {
            guard case .request(let r, _) = parse("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") else {
                Issue.record("\(target) not parsed")
                continue
            }
            #expect(r.path == path, "\(target)")
            #expect(r.query == query, "\(target)")
        }
        #expect(parse("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n") == .failed(.malformed("bad request target")))
    }

    @Test func expectContinueIsToldApartWhileTheBodyIsMissing() {
        let head = "POST /c HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"
        let bytes = Array(head.utf8)
        #expect(bytes.withUnsafeBytes { parser.parseHead($0) } == .continueExpected)
        let plain = Array(head.replacingOccurrences(of: "Expect: 100-Continue\r\n", with: "").utf8)
        #expect(plain.withUnsafeBytes { parser.parseHead($0) } == .incomplete)
        guard case .request = parse(head + "{}") else {
            Issue.record("not parsed with its body")
            return
        }
    }

    /// Seeded, so a failure names its case: requests built from random parts parse back to
    /// exactly those parts, and a second request after one is left for the next call.
    @Test func generatedRequestsParseBackToTheirParts() {
        var rng = SplitMix64(seed: 0x4854_5450)
        let names = ["Accept-Language", "Accept", "X-Trace", "User-Agent", "Cookie"]
        for round in 0..<2_000 {
            let post = rng.next() % 2 == 0
            let path =
                "/v1/" + (0..<Int(rng.next() % 4 + 1)).map { _ in String(rng.next() % 1000) }.joined(separator: "/")
            let token = rng.next() % 3 == 0 ? nil : "t\(rng.next() % 100_000).x.y"
            let key = rng.next() % 3 == 0 ? nil : "k-\(rng.next() % 1000)"
            let body = post ? String(repeating: "b", count: Int(rng.next() % 40)) : ""
            var head = "\(post ? "POST" : "GET") \(path) HTTP/1.1\r\nHost: t\r\n"
            for _ in 0..<Int(rng.next() % 4) { head += "\(names[Int(rng.next() % 5)]): v\(rng.next() % 99)\r\n" }
            if let token { head += "Authorization: Bearer \(token)\r\n" }
            if let key { head += "Idempotency-Key: \(key)\r\n" }
            if post { head += "Content-Length: \(body.utf8.count)\r\n" }
            let request = head + "\r\n" + body
            guard case .request(let r, let consumed) = parse(request + "GET / HTTP/1.1\r\nHost: t\r\n") else {
                Issue.record("round \(round): not parsed: \(request)")
                continue
            }
            #expect(consumed == request.utf8.count, "round \(round)")
            #expect(r.method == (post ? .post : .get), "round \(round)")
            #expect(r.path == path, "round \(round)")
            #expect(r.fields[0] == token.map { Array("Bearer \($0)".utf8) }, "round \(round)")
            #expect(r.fields[1] == key.map { Array($0.utf8) }, "round \(round)")
            #expect(r.body == Array(body.utf8), "round \(round)")
        }
    }

    /// Random pieces of requests (seeded): whatever parses depends only on the bytes it
    /// consumed, and whatever fails still fails when more bytes arrive (perhaps on an earlier
    /// check that needed them).
    @Test func randomPiecesParseConsistentlyAndFailuresStay() {
        var rng = SplitMix64(seed: 0xBAD_B17E5)
        let pieces = [
            "GET ", "POST ", "/", " HTTP/1.1", "\r\n", "\r", "\n", ":", " ", "Content-Length", "1", "\0", "\u{FF}", "a",
        ]
        var outcomes: Set<String> = []
        for round in 0..<20_000 {
            let s = (0..<Int(rng.next() % 24)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            // Every other case starts with a valid request line, so some heads complete.
            let bytes = Array(((round % 2 == 0 ? "GET /a HTTP/1.1\r\nHost: t\r\n" : "") + s).utf8)
            switch parse(bytes) {
            case .incomplete: outcomes.insert("incomplete")
            case .request(let r, let consumed):
                outcomes.insert("request")
                #expect(consumed <= bytes.count, "round \(round)")
                #expect(parse(Array(bytes[..<consumed])) == .request(r, consumed: consumed), "round \(round)")
            case .failed:
                outcomes.insert("failed")
                let more = parse(bytes + Array("\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
                if case .failed = more {} else { Issue.record("round \(round): failed, then \(more) with more bytes") }
            }
        }
        // The pieces reach every kind of answer, or the properties above were never tried.
        #expect(outcomes == ["incomplete", "request", "failed"])
    }
}

import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// HTTP/1.0 and 1.1 as RFC 9112 has them, over real sockets (issue "No wrong answer at the
/// seams", defect 8): keep-alive acknowledged, Host required once, the absolute form,
/// `Expect: 100-continue`, 414 for any over-long target, ambiguous fields refused, and every
/// refusal delivered before the close.
@Suite struct GatewayHTTPConformanceTests {
    let redis: TestRedis
    let pool: Pool
    let programme: Programme

    init() throws {
        redis = try TestRedis.get()
        pool = TestProgramme.dailyPool(stock: 10, autoOpen: true)
        programme = TestProgramme.programme([pool])
    }

    func harness() throws -> GatewayHarness {
        try GatewayHarness(
            programme: programme, clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)),
            redis: redis.endpoint)
    }

    @Test func anHTTP10KeepAliveIsAcknowledgedAndKept() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        let c = try g.client()
        try c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try c.response().status == 200)
        #expect(c.lastHeader("Connection")?.lowercased() == "keep-alive")
        try c.send("GET /v1/pools/\(pool.id) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try c.response().status == 200)
        #expect(c.lastHeader("Connection")?.lowercased() == "keep-alive")
        // Without it, HTTP/1.0 closes after the answer, and says so.
        try c.send("GET /healthz HTTP/1.0\r\n\r\n")
        #expect(try c.response().status == 200)
        #expect(c.lastHeader("Connection")?.lowercased() == "close")
        #expect(c.isClosedByServer())
    }

    @Test func aSoldOutAnswerToAnHTTP10ClientSaysKeepAlive() throws {
        let sold = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([sold]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(
            try c.request("POST", "/v1/pools/\(sold.id)/claims", headers: ["Authorization": "Bearer \(g.token("a"))"])
                .status == 201)
        #expect(
            try c.request("POST", "/v1/pools/\(sold.id)/claims", headers: ["Authorization": "Bearer \(g.token("b"))"])
                .status == 409)
        // The window is marked sold out: the next answer is the pre-rendered one for HTTP/1.1.
        try c.send(
            "POST /v1/pools/\(sold.id)/claims HTTP/1.0\r\nConnection: keep-alive\r\nAuthorization: Bearer \(g.token("c"))"
                + "\r\nContent-Length: 0\r\n\r\n")
        #expect(try c.response().json["error"] as? String == "sold_out")
        #expect(c.lastHeader("Connection")?.lowercased() == "keep-alive")
        #expect(try c.request("GET", "/healthz").status == 200)
    }

    @Test func hostIsRequiredOnceInHTTP11() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        for head in ["GET /healthz HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"] {
            let c = try g.client()
            try c.send(head)
            let r = try c.response()
            #expect(r.status == 400)
            #expect((r.json["message"] as? String)?.contains("Host") == true)
            #expect(c.isClosedByServer())
        }
        // HTTP/1.0 needs none.
        let c = try g.client()
        try c.send("GET /healthz HTTP/1.0\r\n\r\n")
        #expect(try c.response().status == 200)
    }

    @Test func theAbsoluteFormIsAccepted() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        let c = try g.client()
        try c.send("GET http://127.0.0.1:\(g.port)/v1/pools/\(pool.id)?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 200)
        #expect(r.json["pool"] as? String == pool.id)
        try c.send("GET http://127.0.0.1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try c.response().status == 404)  // the path "/" names nothing here
    }

    @Test func expect100ContinueIsAnsweredBeforeTheBody() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        let c = try g.client()
        let body = #"{"store_qr":"none"}"#
        try c.send(
            "POST /v1/pools/\(pool.id)/claims HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(g.token("slow"))\r\n"
                + "Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        #expect(try c.response().status == 100)
        try c.send(body)
        #expect(try c.response().status == 201)
        // A body too large is refused at once, without a 100.
        try c.send(
            "POST /v1/pools/\(pool.id)/claims HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 999999\r\n\r\n"
        )
        #expect(try c.response().status == 413)
    }

    @Test func everyOverLongTargetIs414() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        for length in [3000, 100 * 1024] {
            let c = try g.client()
            signal(SIGPIPE, SIG_IGN)
            try? c.send("GET /" + String(repeating: "a", count: length) + " HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.response().status == 414)
        }
    }

    @Test func twoAuthorizationOrIdempotencyKeyFieldsAreRefused() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        for field in ["Authorization: Bearer \(g.token("x"))", "Idempotency-Key: k1"] {
            let c = try g.client()
            try c.send(
                "POST /v1/pools/\(pool.id)/claims HTTP/1.1\r\nHost: t\r\n\(field)\r\n\(field)x\r\nContent-Length: 0\r\n\r\n"
            )
            let r = try c.response()
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "bad_request")
        }
    }

    @Test func aRefusalOfAHugeHeadArrivesBeforeTheClose() throws {
        let g = try harness()
        defer { #expect(g.stop()) }
        signal(SIGPIPE, SIG_IGN)
        for _ in 0..<3 {
            let c = try g.client()
            // Far more than one read: the server refuses after the first 8 KiB and must still
            // take in the rest, or closing with unread bytes resets the connection and the
            // client may lose the 431.
            try? c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 256 * 1024))
            usleep(50_000)
            let r = try c.response()
            #expect(r.status == 431)
            #expect(r.json["error"] as? String == "headers_too_large")
            #expect(c.ending() == "eof")
        }
    }
}

import ClaimCore
import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// Progress as a resident's app reads it (issue "Residents and SREs"): from each loop's own
/// view, a list of every pool, validators, HEAD, CORS.
@Suite struct GatewayProgressTests {
    let redis: TestRedis
    init() throws { redis = try TestRedis.get() }

    func metric(_ c: TestHTTPClient, _ name: String) throws -> Int {
        let text = try c.request("GET", "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return 0
    }

    /// Every poll reached Redis (17,700 polls/s at 10:00 against ~100,000 sold-out answers/s).
    /// Now a loop reads a pool at most once per refresh; polls in between are answered from its
    /// view, which moves when the interval passes on the loop's clock.
    @Test func pollsWithinTheRefreshAreAnsweredFromTheLoopsView() throws {
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let loopClock = ManualLoopClock()
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint
        ) {
            $0.loopClock = loopClock
            $0.progressRefreshMilliseconds = 250
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        let first = try c.request("GET", "/v1/pools/\(pool.id)")
        #expect(first.json["left"] as? Int == 5)
        #expect(c.lastHeader("Cache-Control") == "public, max-age=1")
        let etag = try #require(c.lastHeader("ETag"))
        #expect(etag.hasPrefix("W/\""))
        #expect(try g.claim(c, pool, "a").status == 201)
        for _ in 0..<10 { #expect(try c.request("GET", "/v1/pools/\(pool.id)").json["left"] as? Int == 5) }
        #expect(try metric(c, "claimgate_progress_reads_total") == 1)
        #expect(try metric(c, "claimgate_progress_from_view_total") == 10)
        // Unchanged: 304 with the same validator, and the head a 200 would have.
        let same = try c.request("GET", "/v1/pools/\(pool.id)", headers: ["If-None-Match": etag])
        #expect(same.status == 304 && same.body.isEmpty)
        #expect(c.lastHeader("ETag") == etag)
        loopClock.advance(milliseconds: 250)
        let later = try c.request("GET", "/v1/pools/\(pool.id)", headers: ["If-None-Match": etag])
        #expect(later.status == 200)
        #expect(later.json["left"] as? Int == 4)
        #expect(c.lastHeader("ETag") != etag)
        #expect(try metric(c, "claimgate_progress_reads_total") == 2)
    }

    /// A view never outlives its window position: the release at 10:00 shows at 10:00, not up
    /// to a refresh later.
    @Test func aViewEndsWhenItsWindowOpens() throws {
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let clock = SettableClock(TestProgramme.releaseInstant.adding(milliseconds: -100))
        let g = try GatewayHarness(programme: TestProgramme.programme([pool]), clock: clock, redis: redis.endpoint) {
            $0.loopClock = ManualLoopClock()
            $0.progressRefreshMilliseconds = 250
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try c.request("GET", "/v1/pools/\(pool.id)").json["state"] as? String == "upcoming")
        clock.set(TestProgramme.releaseInstant)
        let open = try c.request("GET", "/v1/pools/\(pool.id)").json
        #expect(open["state"] as? String == "open")
        #expect(open["server_time"] as? String == "2022-06-10T10:00:00.000+08:00")
    }

    /// Polls that come while a read is in flight wait on it: one read, however many poll.
    @Test func pollsDuringAReadShareIt() throws {
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let proxy = try ReplyDelayProxy(to: redis.endpoint)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: proxy.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        proxy.holdReply(after: "HMGET", for: 200)
        var pipelined = ""
        for _ in 0..<20 { pipelined += "GET /v1/pools/\(pool.id) HTTP/1.1\r\nHost: t\r\n\r\n" }
        try c.send(pipelined)
        for _ in 0..<20 { #expect(try c.response().status == 200) }
        #expect(try metric(c, "claimgate_progress_reads_total") == 1)
    }

    /// `GET /v1/pools` answered 404: an app could not list today's releases.
    @Test func thePoolListShowsEveryPoolWithItsStateWindowAndNames() throws {
        let open = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let later = TestProgramme.dailyPool(stock: 7, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([open, later]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try g.claim(c, open, "a").status == 201)
        let list = try c.request("GET", "/v1/pools")
        #expect(list.status == 200)
        #expect(list.json["programme"] as? String == "test")
        #expect(list.json["server_time"] as? String == "2022-06-10T10:00:00.001+08:00")
        let pools = try #require(list.json["pools"] as? [[String: Any]])
        #expect(pools.map { $0["pool"] as? String } == [open.id, later.id])
        #expect(pools[0]["state"] as? String == "open")
        #expect(pools[0]["left"] as? Int == 4)
        #expect(pools[0]["name"] as? String == open.name)
        #expect((pools[1]["window"] as? [String: Any])?["opens_at"] as? String == "2022-06-10T10:00:00.000+08:00")
        #expect(pools[1]["left"] as? Int == 7)
        let etag = try #require(c.lastHeader("ETag"))
        #expect(try c.request("GET", "/v1/pools", headers: ["If-None-Match": etag]).status == 304)
        #expect(try g.claim(c, later, "a").status == 201)
        #expect(try c.request("GET", "/v1/pools", headers: ["If-None-Match": etag]).status == 200)
    }

    /// HEAD on every GET: the head a GET gets, no body.
    @Test func headAnswersEveryGetWithoutItsBody() throws {
        let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let auth = ["Authorization": "Bearer \(g.token("h"))"]
        for path in ["/v1/pools", "/v1/pools/\(pool.id)", "/v1/me/vouchers", "/healthz", "/metrics"] {
            let get = try c.request("GET", path, headers: auth)
            let getLength = c.lastHeader("Content-Length")
            let head = try c.request("HEAD", path, headers: auth)
            #expect(head.status == get.status, "\(path)")
            #expect(head.body.isEmpty, "\(path)")
            #expect(c.lastHeader("Content-Length") != nil, "\(path)")
            if path != "/metrics" { #expect(c.lastHeader("Content-Length") == getLength, "\(path)") }
        }
        // The connection is still in step: the next answer is the next request's.
        #expect(try c.request("GET", "/healthz").json["status"] as? String == "ok")
    }

    /// CORS for configured app origins: every answer to an allowed origin says so (the
    /// pre-rendered sold_out too), a preflight is answered, any other origin is told by name.
    @Test func anAllowedOriginIsAnsweredWithCORSHeadersOnEveryPath() throws {
        let pool = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), redis: redis.endpoint
        ) { $0.cors = try! CORSPolicy(origins: ["https://app.example", "http://localhost:5173"]) }
        defer { #expect(g.stop()) }
        let c = try g.client()
        let app = "https://app.example"
        func claim(_ person: String, origin: String?) throws -> Int {
            var h = ["Authorization": "Bearer \(g.token(person))"]
            h["Origin"] = origin
            return try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: h).status
        }
        #expect(try claim("a", origin: app) == 201)
        #expect(c.lastHeader("Access-Control-Allow-Origin") == app)
        #expect(try claim("b", origin: app) == 409)  // from Redis: marks the window sold out
        #expect(try claim("c", origin: app) == 409)  // the gateway's own (pre-rendered for others)
        #expect(c.lastHeader("Access-Control-Allow-Origin") == app)
        #expect(c.lastHeader("Access-Control-Expose-Headers")?.contains("Retry-After") == true)
        #expect(try claim("d", origin: nil) == 409)
        #expect(c.lastHeader("Access-Control-Allow-Origin") == nil)
        #expect(try claim("e", origin: "https://evil.example") == 409)
        #expect(c.lastHeader("Access-Control-Allow-Origin") == nil)
        _ = try c.request("GET", "/v1/pools/\(pool.id)", headers: ["Origin": "http://localhost:5173"])
        #expect(c.lastHeader("Access-Control-Allow-Origin") == "http://localhost:5173")
        _ = try c.request("GET", "/v1/pools/\(pool.id)")
        #expect(c.lastHeader("Vary") == "Origin")

        let preflight = try c.request(
            "OPTIONS", "/v1/pools/\(pool.id)/claims",
            headers: ["Origin": app, "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204)
        #expect(c.lastHeader("Access-Control-Allow-Origin") == app)
        #expect(c.lastHeader("Access-Control-Allow-Methods") == "POST, OPTIONS")
        #expect(c.lastHeader("Access-Control-Allow-Headers")?.contains("Idempotency-Key") == true)
        #expect(c.lastHeader("Content-Length") == nil)
        let refused = try c.request("OPTIONS", "/v1/me/vouchers", headers: ["Origin": "https://evil.example"])
        #expect(refused.status == 403)
        #expect(refused.json["error"] as? String == "origin_not_allowed")
        #expect((refused.json["message"] as? String)?.contains("https://evil.example") == true)
        #expect(try c.request("OPTIONS", "/nowhere", headers: ["Origin": app]).status == 404)
    }

    @Test func aCORSOriginMustBeAnOrigin() {
        for bad in ["app.example", "https://app.example/", "https://app.example/path", "ftp://x", "https://"] {
            #expect(throws: CORSPolicy.Problem.self, "\(bad)") { try CORSPolicy(origins: [bad]) }
        }
        #expect((try? CORSPolicy(origins: ["https://app.example:8443", "http://[::1]:3000"])) != nil)
    }
}

import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// Abuse limits before Redis: per person, per address, connections per address.
@Suite struct GatewayLimitsTests {
    let redis: TestRedis
    let pool: Pool
    let programme: Programme

    init() throws {
        redis = try TestRedis.get()
        pool = TestProgramme.dailyPool(stock: 100, limit: 10, autoOpen: true)
        programme = TestProgramme.programme([pool])
    }

    func harness(_ tune: (inout GatewayConfig) -> Void) throws -> GatewayHarness {
        try GatewayHarness(
            programme: programme, clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)),
            redis: redis.endpoint, tune: tune)
    }

    @Test func aPersonOverTheRateGets429WithRetryAfterAndNothingReachesRedis() throws {
        let g = try harness { $0.personRate = RateLimit(burst: 2, perSecond: 0.2) }
        defer { #expect(g.stop()) }
        let c = try g.client()
        let auth = ["Authorization": "Bearer \(g.token("eager"))"]
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth).status == 201)
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth).status == 201)
        let third = try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: auth)
        #expect(third.status == 429)
        #expect(third.json["error"] as? String == "rate_limited")
        #expect(third.json["retry_after"] as? Int == 5)
        // Someone else is not slowed down by it.
        #expect(
            try c.request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token("calm"))"]
            )
            .status == 201)
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains(#"claimgate_rate_limited_total{scope="person"} 1"#))
        #expect(metrics.contains(#"claimgate_claims_total{pool="\#(pool.id)",outcome="rate_limited"} 1"#))
    }

    @Test func connectionsOverThePerAddressCapAreRefusedCleanly() throws {
        let g = try harness { $0.maxConnectionsPerAddress = 2 }
        defer { #expect(g.stop()) }
        let a = try g.client(), b = try g.client()
        #expect(try a.request("GET", "/healthz").status == 200)
        #expect(try b.request("GET", "/healthz").status == 200)
        let third = try g.client()
        let refused = try third.response()
        #expect(refused.status == 429)
        #expect(!refused.keepAlive)
        #expect(third.isClosedByServer())
        // The others are unaffected, and a freed place can be taken again.
        #expect(try a.request("GET", "/healthz").status == 200)
        _ = consume b
        usleep(100_000)
        #expect(try g.client().request("GET", "/healthz").status == 200)
    }

    @Test func anAddressOverItsRateGets429() throws {
        let g = try harness { $0.addressRate = RateLimit(burst: 3, perSecond: 0.5) }
        defer { #expect(g.stop()) }
        let c = try g.client()
        let statuses = try (0..<4).map { _ in try c.request("GET", "/v1/pools/\(pool.id)").status }
        #expect(statuses == [200, 200, 200, 429])
        #expect(try c.request("GET", "/healthz").status == 200)  // health checks are never limited
    }

    /// On the loop's manual clock: time passes when the test says, and a request on another
    /// connection wakes the loop to notice. Connections are checked every half of the shorter
    /// timeout (150 ms here), so each deadline is noticed at the first check after it.
    @Test func aHalfSentRequestGets408AndAnIdleConnectionIsClosed() throws {
        let clock = ManualLoopClock()
        let g = try harness {
            $0.loopClock = clock
            $0.requestTimeoutMilliseconds = 300
            $0.idleTimeoutMilliseconds = 600
        }
        defer { #expect(g.stop()) }
        /// Each wait named, so a failure says which one it was.
        func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch {
                Issue.record("\(name): \(error)")
                throw error
            }
        }
        let poke = try g.client()
        let slow = try g.client()
        // A whole request and the start of another in one write: once the first is answered,
        // the server has read the partial one too, at clock 0 (sent alone, it could be read
        // after the clock moved, and its timeout would count from then).
        try slow.send(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/pools/\(pool.id)/claims HTTP/1.1\r\nHost: x\r\n")
        #expect(try step("slow's first request") { try slow.response().status } == 200)
        #expect(try step("poke at 0") { try poke.request("GET", "/healthz").status } == 200)
        clock.advance(milliseconds: 250)
        #expect(try step("poke at 250") { try poke.request("GET", "/healthz").status } == 200)
        #expect(!slow.isReadable(within: 0.2), "answered before its time")
        clock.advance(milliseconds: 200)
        #expect(try step("poke at 450") { try poke.request("GET", "/healthz").status } == 200)
        let timedOut = try step("the 408") { try slow.response() }
        #expect(timedOut.status == 408)
        #expect(timedOut.json["error"] as? String == "request_timeout")
        #expect(slow.isClosedByServer())

        let idle = try g.client()
        #expect(try step("idle's request") { try idle.request("GET", "/healthz").status } == 200)
        clock.advance(milliseconds: 500)
        #expect(try step("poke at 950") { try poke.request("GET", "/healthz").status } == 200)
        #expect(!idle.isClosedByServer(within: 0.2), "closed before its time")
        clock.advance(milliseconds: 250)
        let other = try g.client()
        #expect(try step("other at 1200") { try other.request("GET", "/healthz").status } == 200)
        #expect(idle.isClosedByServer(within: 3))
    }

    @Test func aPersonsBucketRefillsWithTheLoopsClock() throws {
        let clock = ManualLoopClock()
        let g = try harness {
            $0.loopClock = clock
            $0.personRate = RateLimit(burst: 1, perSecond: 1)
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        let auth = ["Authorization": "Bearer \(g.token("steady"))"]
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 200)
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 429)
        clock.advance(milliseconds: 999)
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 429)
        clock.advance(milliseconds: 2)
        #expect(try c.request("GET", "/v1/me/vouchers", headers: auth).status == 200)
    }
}

/// Identity at the gateway: rotated keys and clock skew, end to end.
@Suite struct GatewayIdentityTests {
    @Test func duringARotationBothKeysClaimAndAnUnknownKeyGets401() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 100, limit: 10, autoOpen: true)
        let next = try TokenSigningKey.generate(.es256, id: "k2")
        let keyring = TokenKeySet(keys: [GatewayHarness.signingKey.publicKey, next.publicKey])
        let now = TestProgramme.releaseInstant.adding(milliseconds: 1)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: FixedClock(now), redis: redis.endpoint
        ) {
            $0.tokenKeys = keyring
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        func claim(_ token: String) throws -> HTTPResponse {
            try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(token)"])
        }
        let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)
        let later = now.adding(milliseconds: 600_000)
        #expect(try claim(g.token("before-rotation")).status == 201)
        let rotated = TokenSigner(privateKey: next).sign(PersonToken(person: "after", facts: facts, expiresAt: later))
        #expect(try claim(rotated).status == 201)
        let stranger = TokenSigner(privateKey: try TokenSigningKey.generate(.es256, id: "k9")).sign(
            PersonToken(person: "x", facts: facts, expiresAt: later))
        let refused = try claim(stranger)
        #expect(refused.status == 401)
        #expect(refused.json["error"] as? String == "unauthorized")
        #expect(refused.json["message"] as? String == "token signed with an unknown key")
        // 20 s ahead of our clock is inside the default 30 s skew; 40 s is not.
        let soon = TokenSigner(privateKey: next).sign(
            PersonToken(person: "soon", facts: facts, expiresAt: later, notBefore: now.adding(milliseconds: 20_000)))
        #expect(try claim(soon).status == 201)
        let tooSoon = TokenSigner(privateKey: next).sign(
            PersonToken(person: "later", facts: facts, expiresAt: later, notBefore: now.adding(milliseconds: 40_000)))
        #expect(try claim(tooSoon).json["message"] as? String == "token not yet valid")
    }
}

/// Issue "Identity as a city runs it": a JWKS reload reaches every loop while it serves.
@Suite struct GatewayKeyReloadTests {
    @Test func aReloadAddsAndRemovesKeysWithoutDroppingTheConnection() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 100, limit: 10, autoOpen: true)
        let box = TokenKeysBox(GatewayHarness.keys)
        let now = TestProgramme.releaseInstant.adding(milliseconds: 1)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: FixedClock(now), redis: redis.endpoint
        ) {
            $0.tokenKeysBox = box
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        func status(_ token: String) throws -> Int {
            try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(token)"]).status
        }
        let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)
        let next = try TokenSigningKey.generate(.es256, id: "next")
        let newToken = TokenSigner(privateKey: next).sign(
            PersonToken(person: "n1", facts: facts, expiresAt: now.adding(milliseconds: 600_000)))
        let oldToken = g.token("o1")
        // Verified once with the old key (and so cached), the new key not known yet.
        #expect(try status(oldToken) == 200)
        #expect(try status(oldToken) == 200)
        #expect(try status(newToken) == 401)
        let metrics = try c.request("GET", "/metrics").text
        for line in [
            #"claimgate_token_checks_total{result="verified"} 1"#, #"claimgate_token_checks_total{result="cached"} 1"#,
            #"claimgate_token_checks_total{result="refused"} 1"#,
        ] { #expect(metrics.contains(line), "\(line)") }
        func eventually(_ expected: Int, _ token: String) throws -> Bool {
            for _ in 0..<100 {
                if try status(token) == expected { return true }
                usleep(10_000)
            }
            return false
        }
        box.publish(TokenKeySet(keys: [GatewayHarness.signingKey.publicKey, next.publicKey]))
        #expect(try eventually(200, newToken))
        #expect(try status(oldToken) == 200)
        // The old key out: its token, cached before, is refused; the same connection serves on.
        box.publish(TokenKeySet(keys: [next.publicKey]))
        #expect(try eventually(401, oldToken))
        // Every request went over `c`'s one socket: a closed connection would have thrown.
        #expect(try status(newToken) == 200)
    }
}

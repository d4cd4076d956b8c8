import ClaimCore
import ClaimHTTP
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// Issue "The 10:00 spike without a tail": a resident tapping before 10:00 is answered
/// `not_open` before the token is read (so the crowd before the opening costs no signature
/// checks), and at the opening every one of them cost a full check in the busiest second. Now
/// the token is verified before the opening on a thread beside the loop, and the tap at 10:00
/// finds it in the loop's cache. Only a second tap hands a token over: a one-off tap is
/// verified at its claim, as before.
@Suite struct GatewayCheckAheadTests {
    let redis: TestRedis
    let pool = TestProgramme.dailyPool(stock: 100, limit: 10, autoOpen: true)

    init() throws { redis = try TestRedis.get() }

    func run(aheadBytes: Int? = nil, _ body: (TestHTTPClient, GatewayHarness, SettableClock) throws -> Void) throws {
        let clock = SettableClock(TestProgramme.releaseInstant.adding(milliseconds: -2000))
        let g = try GatewayHarness(programme: TestProgramme.programme([pool]), clock: clock, redis: redis.endpoint) {
            if let aheadBytes { $0.tokenCheckAheadBytes = aheadBytes }
        }
        defer { #expect(g.stop()) }
        try body(try g.client(), g, clock)
    }

    func claim(_ c: TestHTTPClient, _ token: String) throws -> HTTPResponse {
        try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(token)"])
    }

    func checks(_ c: TestHTTPClient) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for line in try c.request("GET", "/metrics").text.split(separator: "\n")
        where line.hasPrefix("claimgate_token_checks_total{result=\"") {
            let parts = line.dropFirst(37).split(separator: "\"")
            if parts.count == 2, let n = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "} "))) {
                out[String(parts[0])] = n
            }
        }
        return out
    }

    /// The checks once the loop had its quiet moment (it needs no request to get one).
    func settled(_ c: TestHTTPClient, ahead: Int, refused: Int) throws -> [String: Int] {
        for _ in 0..<200 {
            let seen = try checks(c)
            if seen["ahead", default: 0] >= ahead, seen["ahead_refused", default: 0] >= refused { return seen }
            usleep(5_000)
        }
        return try checks(c)
    }

    @Test func aTokenTappedBeforeTheOpeningIsVerifiedWhileIdleAndFoundAtTheOpening() throws {
        try run { c, g, clock in
            let early = g.token("early")
            var bytes = Array(early.utf8)
            bytes[bytes.count - 3] = bytes[bytes.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let forged = String(decoding: bytes, as: UTF8.self)
            let once = g.token("once")
            for token in [early, early, forged, forged, once, early] {
                #expect(try claim(c, token).json["error"] as? String == "not_open")
            }
            let before = try settled(c, ahead: 1, refused: 1)
            // Verified once however often it was tapped; the forged one refused; the one-off
            // tap not at all; and nothing verified for a request.
            #expect(before["ahead"] == 1 && before["ahead_refused"] == 1)
            #expect(before["verified", default: 0] == 0 && before["cached", default: 0] == 0)
            clock.set(TestProgramme.releaseInstant.adding(milliseconds: 1))
            #expect(try claim(c, early).status == 201)
            #expect(try claim(c, forged).json["error"] as? String == "unauthorized")
            #expect(try claim(c, once).status == 201)
            let after = try checks(c)
            #expect(after["cached"] == 1 && after["verified"] == 1 && after["refused"] == 1)
        }
    }

    /// The same with the queue off (`--token-check-ahead-bytes 0`): what the opening cost before.
    @Test func withoutTheQueueTheTapAtTheOpeningIsVerifiedThen() throws {
        try run(aheadBytes: 0) { c, g, clock in
            let early = g.token("early-off")
            for _ in 0..<2 { #expect(try claim(c, early).json["error"] as? String == "not_open") }
            clock.set(TestProgramme.releaseInstant.adding(milliseconds: 1))
            #expect(try claim(c, early).status == 201)
            let after = try checks(c)
            #expect(after["verified"] == 1 && after["cached", default: 0] == 0 && after["ahead", default: 0] == 0)
        }
    }
}

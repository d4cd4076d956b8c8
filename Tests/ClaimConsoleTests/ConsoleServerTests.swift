import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Logging
import Testing

@testable import ClaimConsole

/// The operators' console's API on a real listener and a real Redis (issue "Release day in the
/// operators' hands"); scripts/console-check.sh drives the page in a real browser.
@Suite struct ConsoleServerTests {
    let redis: TestRedis
    let pool = TestProgramme.dailyPool(stock: 5, autoOpen: true)
    let credential = "console-test-credential-0123"

    init() throws { redis = try TestRedis.get() }

    func server() throws -> ConsoleServer {
        try ConsoleServer(
            host: "127.0.0.1", port: 0, credential: Array(credential.utf8), target: .single(redis.endpoint),
            served: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)),
            metricsText: {
                "claimgate_claims_total{pool=\"\(pool.id)\",outcome=\"sold_out\"} 7\nclaimgate_claims_total{pool=\"x\",outcome=\"granted\"} 0\n"
            }, logger: Logger(label: "console-test"))
    }

    @Test func everyAPICallNeedsTheOperatorCredential() throws {
        let s = try server()
        defer { s.stop() }
        let c = try TestHTTPClient(port: s.port)
        #expect(try c.request("GET", "/api/state").status == 401)
        #expect(try c.request("GET", "/api/state", headers: ["Authorization": "Bearer \(credential)x"]).status == 401)
        // A resident's or merchant's token is no operator credential (docs/trust.md, roles).
        let token = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1MSJ9.c2ln"
        #expect(
            try c.request("POST", "/api/pools/\(pool.id)/pause", headers: ["Authorization": "Bearer \(token)"]).status
                == 401)
        #expect(try c.request("POST", "/api/pools/\(pool.id)/pause").status == 401)
        // The page itself is public (it asks for the credential) and loads nothing from elsewhere.
        let page = try c.request("GET", "/")
        #expect(page.status == 200 && page.text.contains("Operator credential"))
        #expect(c.lastHeader("Content-Security-Policy") == "default-src 'self'")
        #expect(try c.request("GET", "/console.js").text.contains("/api/state"))
    }

    @Test func theStateShowsEachPoolAndAPauseGoesToRedis() throws {
        let s = try server()
        defer { s.stop() }
        let c = try TestHTTPClient(port: s.port)
        let auth = ["Authorization": "Bearer \(credential)"]
        let state = try c.request("GET", "/api/state", headers: auth)
        #expect(state.status == 200)
        let pools = state.json["pools"] as? [[String: Any]]
        #expect(pools?.first?["pool"] as? String == pool.id)
        #expect(pools?.first?["state"] as? String == "open")
        #expect((pools?.first?["claims"] as? [String: Int])?["sold_out"] == 7)
        let paused = try c.request(
            "POST", "/api/pools/\(pool.id)/pause", headers: auth, body: #"{"reason":"checking the tills"}"#)
        #expect(paused.status == 200)
        #expect(try PoolPause.reason(try redis.client(), pool: pool) == "checking the tills")
        let after = try c.request("GET", "/api/state", headers: auth).json["pools"] as? [[String: Any]]
        #expect(after?.first?["state"] as? String == "paused")
        #expect(try c.request("POST", "/api/pools/\(pool.id)/resume", headers: auth).status == 200)
        #expect(try PoolPause.reason(try redis.client(), pool: pool) == nil)
        #expect(try c.request("POST", "/api/pools/nosuchpool/pause", headers: auth).status == 404)
    }

    /// The sold-out time is the console's own observation: a window it first saw empty gets no
    /// time (it would be the time of looking, not of selling out).
    @Test func aSellOutIsTimedOnlyWhenSeenHappening() throws {
        let clock = SettableClock(TestProgramme.releaseInstant.adding(milliseconds: 1))
        let tiny = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        let s = try ConsoleServer(
            host: "127.0.0.1", port: 0, credential: Array(credential.utf8), target: .single(redis.endpoint),
            served: TestProgramme.programme([tiny]), clock: clock, metricsText: { "" },
            logger: Logger(label: "console-test"))
        defer { s.stop() }
        let c = try TestHTTPClient(port: s.port)
        let auth = ["Authorization": "Bearer \(credential)"]
        func row() throws -> [String: Any] {
            (try c.request("GET", "/api/state", headers: auth).json["pools"] as? [[String: Any]])?.first ?? [:]
        }
        #expect(try c.request("POST", "/api/pools/\(tiny.id)/open", headers: auth).status == 200)
        #expect(try row()["left"] as? Int == 1)
        // A resident takes the one voucher.
        guard
            case .run(let claim) = ClaimPlanner(programme: TestProgramme.programme([tiny])).plan(
                pool: tiny, person: "p1", facts: TestProgramme.resident, idempotencyKey: nil,
                now: TestProgramme.releaseInstant.adding(milliseconds: 2))
        else { throw TestHTTPError("the claim was not planned") }
        _ = try ClaimScript.run(claim, on: try redis.client())
        clock.set(TestProgramme.releaseInstant.adding(milliseconds: 3_000))
        let soldOut = try row()
        #expect(soldOut["sold_out"] as? Bool == true)
        #expect(soldOut["sold_out_at"] as? String == "2022-06-10T10:00:03.000+08:00")
        // Another console, opened after the sell-out, says so without making up a time.
        let late = try ConsoleServer(
            host: "127.0.0.1", port: 0, credential: Array(credential.utf8), target: .single(redis.endpoint),
            served: TestProgramme.programme([tiny]), clock: clock, metricsText: { "" },
            logger: Logger(label: "console-test"))
        defer { late.stop() }
        let lateRow =
            (try TestHTTPClient(port: late.port).request("GET", "/api/state", headers: auth).json["pools"]
            as? [[String: Any]])?.first ?? [:]
        #expect(lateRow["sold_out"] as? Bool == true)
        #expect(lateRow["sold_out_at"] == nil)
    }

    @Test func claimCountsAreReadFromTheExposition() {
        let counts = ConsoleServer.claimCounts(
            "# HELP x\nclaimgate_claims_total{pool=\"a\",outcome=\"granted\"} 3\nclaimgate_claims_total{pool=\"a\",outcome=\"sold_out\"} 0\nclaimgate_claims_total{pool=\"b\",outcome=\"paused\"} 2.0\n"
        )
        #expect(counts == ["a": ["granted": 3], "b": ["paused": 2]])
    }
}

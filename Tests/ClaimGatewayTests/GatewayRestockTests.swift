import ClaimCore
import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// A restock reaches the gateway's sold-out marks at once, not at the next recheck (issue "No
/// wrong answer at the seams", defect 5): reset.lua and move.lua publish the window they
/// restocked, and every loop listens.
@Suite struct GatewayRestockTests {
    let duringRelease = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))

    @Test(arguments: ["reset", "move"])
    func aRestockUnmarksSoldOutWithinMillisecondsNotAtTheRecheck(_ how: String) throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        // The periodic recheck is far away: only the published restock can unmark in time.
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: duringRelease, redis: redis.endpoint
        ) { $0.soldOutRecheckMilliseconds = 10_000 }
        defer { #expect(g.stop()) }
        let c = try g.client()
        func claim(_ person: String) throws -> Int { try g.claim(c, pool, person).status }
        #expect(try claim("first") == 201)
        #expect(try claim("second") == 409)
        #expect(try claim("third") == 409)
        let marked = try c.request("GET", "/metrics").text
        #expect(marked.contains("claimgate_sold_out_short_circuit_total 1"))

        let operatorClient = try redis.client()
        let now = TestProgramme.releaseInstant.adding(milliseconds: 2)
        if how == "reset" {
            _ = try WindowScripts.reset(operatorClient, pool: pool.id, window: "2022-06-10", quota: 3, now: now)
        } else {
            _ = try WindowScripts.move(operatorClient, pool: pool.id, window: "2022-06-10", change: 2, now: now)
        }
        let start = MonotonicClock.nanoseconds()
        var status = 409
        var n = 0
        while status != 201, MonotonicClock.nanoseconds() - start < 2_000_000_000 {
            n += 1
            status = try claim("after-\(n)")
            if status != 201 { usleep(2000) }
        }
        let took = (MonotonicClock.nanoseconds() - start) / 1_000_000
        #expect(status == 201)
        #expect(took < 200, "the restock took \(took) ms to reach the gateway")
    }
}

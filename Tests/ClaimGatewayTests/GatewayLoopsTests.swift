import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// Several event loops on one port: connections spread over them, grants stay exact, all stop.
@Suite struct GatewayLoopsTests {
    /// CI's redis-late chaos: /healthz said ok (the loop that answered had Redis again) while the
    /// resident's claim, on another connection, reached a loop still reconnecting, or claims
    /// still waited for the programme's check: 503. /healthz now speaks for the whole gateway.
    @Test func healthIsOkOnlyWhenEveryLoopCanServeClaims() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        func loops(_ endpoint: RedisEndpoint, check: ProgrammeCheck?) throws -> GatewayLoops {
            var template = GatewayConfig(
                listener: -1, redis: endpoint, programme: TestProgramme.programme([pool]),
                tokenKeys: GatewayHarness.keys, clock: FixedClock(TestProgramme.releaseInstant),
                stopDescriptors: [])
            template.programmeCheck = check
            template.redisReconnectMilliseconds = 50
            return try GatewayLoops(count: 2, host: "127.0.0.1", port: 0, template: template)
        }
        func health(_ port: Int) throws -> HTTPResponse { try TestHTTPClient(port: port).request("GET", "/healthz") }
        // No Redis: degraded, saying how many loops have a link.
        let down = try loops(RedisEndpoint(host: "127.0.0.1", port: 1), check: nil)
        let h = try health(down.port)
        #expect(h.status == 503)
        #expect(h.json["reason"] as? String == "0 of 2 event loops have a Redis link")
        down.stop()
        #expect(down.wait(timeout: 5) == 0)
        // Redis up but the programme not yet checked against it: degraded until it is.
        let check = ProgrammeCheck(passed: false)
        let up = try loops(redis.endpoint, check: check)
        // Once both loops have their links (each on its own connect), only the check is missing.
        var seen: HTTPResponse?
        for _ in 0..<300 {
            seen = try health(up.port)
            if seen?.json["reason"] as? String == ProgrammeCheck.pendingReason { break }
            usleep(10_000)
        }
        #expect(seen?.status == 503)
        #expect(seen?.json["reason"] as? String == ProgrammeCheck.pendingReason)
        check.pass()
        var status = 0
        for _ in 0..<100 {
            status = try health(up.port).status
            if status == 200 { break }
            usleep(10_000)
        }
        #expect(status == 200)
        up.stop()
        #expect(up.wait(timeout: 5) == 0)
    }

    @Test(arguments: [false, true], [false, true])
    func twoLoopsShareAPortAndTheStockAndStopTogether(pinLoops: Bool, batchScheduling: Bool) throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 30, autoOpen: true)
        let programme = TestProgramme.programme([pool])
        let template = GatewayConfig(
            listener: -1, redis: redis.endpoint, programme: programme, tokenKeys: GatewayHarness.keys,
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)), stopDescriptors: [])
        let loops = try GatewayLoops(
            count: 2, host: "127.0.0.1", port: 0, template: template, pinLoops: pinLoops,
            batchScheduling: batchScheduling)
        let tokens = (0..<40).map { GatewayHarnessTokens.token("p\($0)") }
        var granted = 0, soldOut = 0
        var clients: [TestHTTPClient] = []
        for _ in 0..<8 { clients.append(try TestHTTPClient(port: loops.port)) }
        for (i, token) in tokens.enumerated() {
            let r = try clients[i % clients.count].request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(token)"])
            if r.status == 201 { granted += 1 } else if r.json["error"] as? String == "sold_out" { soldOut += 1 }
        }
        #expect(granted == 30)
        #expect(soldOut == 10)
        // Other tests' threads may be SCHED_BATCH too, so only "at least these two" is certain.
        if batchScheduling { #expect(Self.threadsUnderSCHEDBATCH() >= 2) }
        loops.stop()
        #expect(loops.wait(timeout: 5) == 0)
        let counts = try ProgrammeStore(client: redis.client()).counts(pool: pool.id, window: "2022-06-10")
        #expect(counts?.granted == 30)
        #expect(counts?.left == 0)
    }

    /// Threads of this process whose policy (field 41 of /proc/self/task/N/stat) is SCHED_BATCH (3).
    static func threadsUnderSCHEDBATCH() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // After the command name: state is field 3, so policy is the 39th field from here.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 38 && fields[38] == "3"
        }.count
    }
}

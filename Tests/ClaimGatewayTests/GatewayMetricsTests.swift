import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// `GET /metrics` and the sold-out short-circuit it reports on.
@Suite struct GatewayMetricsTests {
    let redis: TestRedis
    let pool: Pool
    let programme: Programme
    let clock = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))

    init() throws {
        redis = try TestRedis.get()
        pool = TestProgramme.dailyPool(stock: 1, autoOpen: true)
        programme = TestProgramme.programme([pool])
    }

    func claim(_ c: TestHTTPClient, _ g: GatewayHarness, _ person: String) throws -> HTTPResponse {
        try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token(person))"])
    }

    /// Parses exposition text with the reference parser (prometheus_client, from PyPI) and
    /// returns `name{labels} value` lines of the samples it read.
    func parseWithPrometheusClient(_ text: String) throws -> [String] {
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                    print(f"{s.name}{{{labels}}} {s.value}")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = errors
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TestHTTPError("prometheus_client rejected the exposition: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func theExpositionIsValidPrometheusAndCountsClaimsByPoolAndOutcome() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims").status == 401)
        #expect(try claim(c, g, "a").status == 201)
        #expect(try claim(c, g, "b").status == 409)
        let response = try c.request("GET", "/metrics")
        #expect(response.status == 200)
        let samples = try parseWithPrometheusClient(response.text)
        func value(_ prefix: String) -> Double? {
            samples.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value(#"claimgate_claims_total{outcome="granted",pool="\#(pool.id)"}"#) == 1)
        #expect(value(#"claimgate_claims_total{outcome="sold_out",pool="\#(pool.id)"}"#) == 1)
        #expect(value(#"claimgate_claims_total{outcome="unauthorized",pool="\#(pool.id)"}"#) == 1)
        #expect(value("claimgate_claim_seconds_count{}") == 3)
        #expect((value("claimgate_redis_round_trip_seconds_count{}") ?? 0) >= 2)
        #expect((value("claimgate_redis_pipeline_depth_count{}") ?? 0) >= 1)
        // Two claims reached Redis, one at a time.
        #expect(value("claimgate_redis_claims_per_call_count{}") == 2)
        #expect(value("claimgate_redis_claims_per_call_sum{}") == 2)
        #expect(value("claimgate_open_connections{}") == 1)
        #expect(samples.contains { $0.hasPrefix("claimgate_redis_errors_total{}") })
    }

    /// Issue "Release day in the operators' hands": no process or build-info metrics, no
    /// Redis-up gauge, no per-pool stock gauges, no redemption metrics.
    @Test func processBuildRedisPoolAndRedemptionMetricsAreExported() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let granted = try claim(c, g, "m1")
        #expect(granted.status == 201)
        let voucher = try #require((granted.json["voucher"] as? [String: Any])?["id"] as? String)
        // A merchant redeems it twice with one order (the second is a replay), then a refusal.
        let merchant = g.merchantToken("shop-1", categories: pool.merchantCategories)
        let code = try g.paymentCode(c, "m1", voucher: voucher)
        func redeem(_ order: String, _ amount: Int) throws -> Int {
            try c.request(
                "POST", "/v1/redemptions", headers: ["Authorization": "Bearer \(merchant)"],
                body:
                    #"{"voucher":"\#(voucher)","order":"\#(order)","amount_fen":\#(amount),"payment_code":"\#(code)"}"#
            ).status
        }
        #expect(try redeem("o-1", 600_000) == 200)
        #expect(try redeem("o-1", 600_000) == 200)
        #expect(try redeem("o-2", 600_000) == 409)
        try PoolPause.pause(try redis.client(), pool: pool, reason: "checking")
        defer { _ = try? PoolPause.resume(try redis.client(), pool: pool) }
        #expect(try claim(c, g, "m2").status == 409)
        let samples = try parseWithPrometheusClient(try c.request("GET", "/metrics").text)
        func value(_ prefix: String) -> Double? {
            samples.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value(#"claimgate_build_info{version="\#(BuildInfo.version)"}"#) == 1)
        #expect(value("claimgate_loops{}") == 1)
        #expect(value("claimgate_redis_links_up{}") == 1)
        #expect(value(#"claimgate_pool_left{pool="\#(pool.id)"}"#) == 0)
        #expect(value(#"claimgate_pool_paused{pool="\#(pool.id)"}"#) == 1)
        #expect(value(#"claimgate_redemptions_total{kind="redeem",outcome="done"}"#) == 1)
        #expect(value(#"claimgate_redemptions_total{kind="redeem",outcome="replayed"}"#) == 1)
        #expect(value(#"claimgate_redemptions_total{kind="redeem",outcome="refused"}"#) == 1)
        #expect(value(#"claimgate_redemptions_total{kind="payment_code",outcome="done"}"#) == 1)
        #expect((value("process_resident_memory_bytes{}") ?? 0) > 1_000_000)
        #expect((value("process_open_fds{}") ?? 0) >= 3)
        #expect((value("process_max_fds{}") ?? 0) >= (value("process_open_fds{}") ?? 0))
        #expect((value("process_start_time_seconds{}") ?? 0) > 1_600_000_000)
    }

    /// `promtool check metrics` refused the exposition for want of `# HELP` on every metric
    /// (issue "Release day in the operators' hands"); scripts/operator-check.sh runs promtool.
    @Test func everyMetricHasItsHelpLineBeforeItsType() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let lines = try g.client().request("GET", "/metrics").text.split(separator: "\n").map(String.init)
        let types = lines.filter { $0.hasPrefix("# TYPE ") }
        #expect(types.count >= 13)
        for type in types {
            let name = type.split(separator: " ")[2]
            guard let at = lines.firstIndex(of: type) else { continue }
            #expect(at > 0 && lines[at - 1].hasPrefix("# HELP \(name) "), "\(name) has no help")
        }
    }

    /// On the loop's manual clock: the recheck goes when the clock passes its interval. Not
    /// listening for restocks here (a message lost while the subscription was down): the
    /// recheck is the fallback (`GatewayRestockTests` has the published restock).
    @Test func soldOutIsAnsweredLocallyUntilAResetWhichTheNextRecheckSees() throws {
        let loopClock = ManualLoopClock()
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint) {
            $0.loopClock = loopClock
            $0.restockChannel = nil
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try claim(c, g, "a").status == 201)
        #expect(try claim(c, g, "b").json["error"] as? String == "sold_out")  // from Redis: marks the window
        for i in 0..<4 { #expect(try claim(c, g, "c\(i)").json["error"] as? String == "sold_out") }
        // Known sold out, it is answered before authentication: no HMAC for the crowd.
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims").json["error"] as? String == "sold_out")
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains("claimgate_sold_out_short_circuit_total 5"))
        // An operator restocks: until the recheck, the mark stands.
        _ = try WindowScripts.reset(
            try redis.client(), pool: pool.id, window: "2022-06-10", quota: 1, now: clock.instant)
        #expect(try claim(c, g, "d").json["error"] as? String == "sold_out")
        loopClock.advance(milliseconds: 500)
        // This request wakes the loop, whose recheck then asks Redis; its reply unmarks.
        _ = try c.request("GET", "/healthz")
        var status = 0
        for _ in 0..<50 {
            status = try claim(c, g, "e").status
            if status == 201 { break }
            usleep(10_000)
        }
        #expect(status == 201)
    }
}

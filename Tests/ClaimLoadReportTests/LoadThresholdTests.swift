import Histogram
import Testing

@testable import ClaimLoadReport

/// Issue "Residents and SREs": a run at --rate 400000 achieved 78,977/s with p50 1,568 ms and
/// printed PASS. Thresholds set the exit code beside the verdict.
@Suite struct LoadThresholdTests {
    func figures(latenciesMs: [Double], sent: Int, answered: Int, socketErrors: Int = 0, serverErrors: Int = 0)
        -> LoadFigures
    {
        var h = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for ms in latenciesMs { _ = h.record(UInt64(ms * 1e6)) }
        var f = LoadFigures(
            config: .init(
                scenario: "spike", urls: [], pools: [], connections: 1, users: 1, repeatShare: 0, durationSeconds: 10,
                maxRequests: 1, targetRate: 400_000, rampSeconds: 0, warmupSeconds: 0, idempotencyKeys: false,
                resendLost: 0, randomSeed: 0),
            latency: .init(h, also: [99.5]))
        f.sent = sent
        f.answered = answered
        f.socketErrors = socketErrors
        f.serverErrors = serverErrors
        f.elapsedSeconds = 10
        f.achievedRate = Double(answered) / 10
        return f
    }

    @Test func readsWhatAnSREWrites() throws {
        #expect(try LoadThreshold("p99<10ms").metric == .latency(percentile: 99))
        #expect(try LoadThreshold("p99<10ms").bound == 10)
        #expect(try LoadThreshold("p99.9 <= 25ms").comparison == .atMost)
        #expect(try LoadThreshold("max<1s").bound == 1000)
        #expect(try LoadThreshold("p50<800us").bound == 0.8)
        #expect(try LoadThreshold("error_rate<0.1%").bound == 0.001)
        #expect(try LoadThreshold("error_rate<0.02").bound == 0.02)
        #expect(try LoadThreshold("rate>=30000").metric == .rate)
        for bad in ["p99", "p99<10", "p0<1ms", "p101<1ms", "latency<1ms", "error_rate<150%", "rate>=fast", "<1ms"] {
            #expect(throws: LoadThreshold.ParseError.self, "\(bad)") { try LoadThreshold(bad) }
        }
        let e = try? LoadThreshold("p99<10")
        #expect(e == nil)
    }

    @Test func aSlowRunThatSoldRightStillMissesItsThresholds() throws {
        // p50 1,568 ms, 78,977 of 400,000/s.
        var f = figures(latenciesMs: Array(repeating: 1568, count: 100), sent: 789_770, answered: 789_770)
        let thresholds = try ["p50<10ms", "rate>=300000", "error_rate<1%"].map { try LoadThreshold($0) }
        let met = f.check(thresholds)
        #expect(!met)
        #expect(f.thresholds.map(\.met) == [false, false, true])
        #expect(thresholds[0].line(for: f).hasSuffix("MISSED"))
        #expect(thresholds[2].line(for: f).hasSuffix("met"))
    }

    @Test func theErrorRateCountsSocketErrorsAnd5xxOverSent() throws {
        let f = figures(latenciesMs: [1], sent: 1000, answered: 990, socketErrors: 3, serverErrors: 7)
        #expect(f.errorRate == 0.01)
        #expect(try LoadThreshold("error_rate<=1%").isMet(by: f))
        #expect(try !LoadThreshold("error_rate<1%").isMet(by: f))
    }

    @Test func aThresholdsPercentileIsKeptEvenIfUnusual() throws {
        let f = figures(latenciesMs: (1...1000).map(Double.init), sent: 1000, answered: 1000)
        let t = try LoadThreshold("p99.5<996ms")
        #expect(abs(t.measured(in: f) - 995) < 2)
        #expect(try LoadThreshold("max<=1001ms").isMet(by: f))
    }
}

import Foundation
import Prometheus
import Testing

@testable import ClaimGateway

@Suite struct LoopHistogramsTests {
    /// The loops' shares summed, written as swift-prometheus writes its own histogram of the
    /// same samples (names, `le` bounds, sums), so no reader of /metrics sees a difference.
    @Test(arguments: [LoopHistograms.Kind.duration, .value])
    func twoLoopsSumToWhatOneSharedHistogramShows(_ kind: LoopHistograms.Kind) {
        let bounds: [Int64] = kind == .duration ? [50_000, 1_000_000, 1_000_000_000] : [1, 2, 4, 64]
        let samples: [[Int64]] =
            kind == .duration
            ? [[1, 50_000, 50_001, 999_999], [2_000_000, 5_000_000_000, 7]] : [[1, 1, 2, 3], [64, 65, 4]]
        let ours = LoopHistograms()
        let loops = samples.map { _ in ours.make("h", kind, bounds: bounds) }
        for (loop, values) in zip(loops, samples) { for v in values { loop.record(v) } }
        var text: [UInt8] = []
        ours.emit(into: &text)

        let registry = PrometheusCollectorRegistry()
        var theirs: [UInt8] = []
        switch kind {
        case .duration:
            let h = registry.makeDurationHistogram(name: "h", buckets: bounds.map { Duration.nanoseconds($0) })
            for v in samples.joined() { h.record(Duration.nanoseconds(v)) }
        case .value:
            let h = registry.makeValueHistogram(name: "h", buckets: bounds.map(Double.init))
            for v in samples.joined() { h.record(Double(v)) }
        }
        registry.emit(into: &theirs)
        #expect(String(decoding: text, as: UTF8.self) == String(decoding: theirs, as: UTF8.self))
    }

    @Test func aLoopJoiningLaterGetsTheFamilysBoundsAndIsCounted() {
        let histograms = LoopHistograms()
        let first = histograms.make("h", .value, bounds: [1, 10])
        let second = histograms.make("h", .value, bounds: [5])
        #expect(second.bounds == [1, 10])
        first.record(1)
        second.record(11)
        var text: [UInt8] = []
        histograms.emit(into: &text)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(lines.contains(#"h_bucket{le="1.0"} 1"#))
        #expect(lines.contains(#"h_bucket{le="10.0"} 1"#))
        #expect(lines.contains(#"h_bucket{le="+Inf"} 2"#))
        #expect(lines.contains("h_sum 12.0"))
        #expect(lines.contains("h_count 2"))
    }

    /// A loop records while another thread writes the exposition: every sample is counted
    /// once the writer is done (no lock between them).
    @Test func samplesRecordedWhileTheExpositionIsWrittenAreAllCounted() async {
        let histograms = LoopHistograms()
        let h = histograms.make("h", .value, bounds: [10])
        let writer = Thread {
            for i in 0..<200_000 { h.record(Int64(i % 20)) }
        }
        writer.start()
        for _ in 0..<200 {
            var text: [UInt8] = []
            histograms.emit(into: &text)
        }
        while h.read().count < 200_000 { try? await Task.sleep(for: .milliseconds(1)) }
        let r = h.read()
        #expect(r.buckets == [110_000, 90_000])
        #expect(r.sum == 1_900_000)
    }
}

@Suite struct GatewayMetricsHistogramTests {
    /// Two loops of one gateway record into histograms of their own (before, one
    /// swift-prometheus object with a lock per sample served both), and /metrics sums them.
    @Test func eachLoopHasItsOwnHistogramsAndTheExpositionSumsThem() throws {
        let factory = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        let histograms = LoopHistograms()
        let a = GatewayMetrics(prometheus: factory, histograms: histograms, pools: [])
        let b = GatewayMetrics(prometheus: factory, histograms: histograms, pools: [])
        let first = try #require(a.claimsPerCall)
        let second = try #require(b.claimsPerCall)
        #expect(first !== second)
        first.record(3)
        second.record(5)
        let text = String(decoding: try #require(a.exposition()), as: UTF8.self)
        #expect(text.contains("claimgate_redis_claims_per_call_count 2\n"))
        #expect(text.contains("claimgate_redis_claims_per_call_sum 8.0\n"))
        #expect(text.contains("# HELP claimgate_redis_claims_per_call "))
    }

    @Test func noHistogramsWhenMetricsAreOff() {
        let off = GatewayMetrics(prometheus: nil, histograms: LoopHistograms(), pools: [])
        #expect(off.claimsPerCall == nil)
        #expect(off.exposition() == nil)
    }
}

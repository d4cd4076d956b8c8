import Testing

@testable import ClaimLoadReport

@Suite struct LoadTimelineTests {
    /// Before 10:00 (seconds 0-1: not_open, 1 ms), the rush (2-3: grants, then sold out in 3,
    /// 2 ms) and after (4-11: sold_out, 1 ms, and 20 answers of 60 ms in second 8).
    func spike() -> LoadTimeline {
        var t = LoadTimeline()
        func add(_ second: Int, _ n: Int, _ outcome: String, _ ms: Double) {
            for i in 0..<n {
                t.record(
                    atNanoseconds: UInt64(second) * 1_000_000_000 + UInt64(i), outcome: outcome,
                    latencyNanoseconds: UInt64(ms * 1e6))
            }
        }
        add(0, 1000, "not_open", 1)
        add(1, 1000, "not_open", 1)
        add(2, 1000, "granted", 2)
        add(3, 500, "granted", 2)
        add(3, 500, "sold_out", 2)
        for s in 4...11 { add(s, 1000, "sold_out", 1) }
        add(8, 20, "sold_out", 60)
        return t
    }

    @Test func splitsTheRunAtTheFirstGrantAndTheSellOut() {
        let p = spike().phases
        #expect(p.before.seconds == 0..<2)
        #expect(p.during.seconds == 2..<4)
        #expect(p.after.seconds == 4..<12)
        #expect(p.before.answered == 2000)
        #expect(p.during.answered == 2000)
        #expect(p.after.answered == 8020)
    }

    @Test func aPhasesPercentilesAreOverEveryAnswerInIt() {
        let t = spike()
        let after = t.phases.after
        // 20 slow answers of 8,020 (0.25%): the phase's p99 is the common 1 ms...
        #expect(after.percentileMilliseconds(99) < 1.1)
        #expect(after.percentileMilliseconds(99.9) > 50)
        // ...while the slow second's own p99 (20 of 1,020) shows them.
        #expect(t.seconds[8].percentileMilliseconds(99) > 50)
        #expect(t.phases.during.percentileMilliseconds(50) > 1.9)
    }

    @Test func withoutAGrantEverythingIsBeforeAndWithoutASellOutNothingIsAfter() {
        var none = LoadTimeline()
        none.record(atNanoseconds: 0, outcome: "not_open", latencyNanoseconds: 1000)
        #expect(none.phases.before.seconds == 0..<1)
        #expect(none.phases.during.answered == 0)
        #expect(none.phases.after.answered == 0)
        var unsold = LoadTimeline()
        unsold.record(atNanoseconds: 0, outcome: "not_open", latencyNanoseconds: 1000)
        unsold.record(atNanoseconds: 1_000_000_000, outcome: "granted", latencyNanoseconds: 1000)
        unsold.record(atNanoseconds: 2_000_000_000, outcome: "granted", latencyNanoseconds: 1000)
        #expect(unsold.phases.during.seconds == 1..<3)
        #expect(unsold.phases.after.seconds == 3..<3)
    }
}

/// Issue "Residents and SREs": a distributed run's workers are merged by adding their HDR
/// histograms, so the merged percentiles are those of every answer together, never an average
/// of the workers' percentiles (which would hide the one slow worker).
@Suite struct LoadTimelineMergeTests {
    @Test func mergedPercentilesEqualThoseOfAllTheRecordsTogether() {
        var all = LoadTimeline()
        var workers = [LoadTimeline](repeating: LoadTimeline(), count: 4)
        var rng = SystemRandomNumberGenerator()
        for k in 0..<20_000 {
            let second = UInt64(k % 7)
            // Worker 3 is slow: its latencies are 20x the others'.
            let w = k % 4
            let latency = UInt64.random(in: 50_000...2_000_000, using: &rng) * (w == 3 ? 20 : 1)
            let outcome = k % 5 == 0 ? "granted" : "sold_out"
            let at = second * 1_000_000_000 + UInt64(k)
            all.record(atNanoseconds: at, outcome: outcome, latencyNanoseconds: latency)
            workers[w].record(atNanoseconds: at, outcome: outcome, latencyNanoseconds: latency)
        }
        var merged = LoadTimeline()
        for w in workers { merged.merge(w) }
        #expect(merged.seconds.count == all.seconds.count)
        for (m, a) in zip(merged.seconds, all.seconds) {
            #expect(m.answered == a.answered)
            #expect(m.outcomes == a.outcomes)
            for p in [50.0, 90, 99, 99.9, 100] { #expect(m.percentileMilliseconds(p) == a.percentileMilliseconds(p)) }
        }
        let (mp, ap) = (merged.phases, all.phases)
        #expect(mp.during.percentileMilliseconds(99) == ap.during.percentileMilliseconds(99))
        // What averaging the workers' p99 would have said: far from the truth.
        let averaged = workers.map { $0.seconds[0].percentileMilliseconds(99) }.reduce(0, +) / 4
        #expect(abs(averaged - all.seconds[0].percentileMilliseconds(99)) > 1)
    }
}

import Testing

@testable import ClaimHTTP

/// The accept pause on plain numbers (nanoseconds): no clock, no sockets.
@Suite struct AcceptPauseTests {
    @Test func aFailurePausesAndReportsAtOnce() {
        var p = AcceptPause(pauseMilliseconds: 100, reportEveryMilliseconds: 1000)
        #expect(!p.isPaused)
        let d = p.failed(now: 5_000_000_000)
        #expect(p.isPaused)
        #expect(d.resumeAt == 5_100_000_000)
        #expect(d.report == 1)
    }

    @Test func failuresWithinTheIntervalAreCountedIntoTheNextReport() {
        var p = AcceptPause(pauseMilliseconds: 100, reportEveryMilliseconds: 1000)
        _ = p.failed(now: 0)
        var reports: [Int] = []
        // A failure every 100 ms for 2.5 s: one report per second, each summing its pauses.
        for i in 1...25 {
            let resumed = p.resume()
            #expect(resumed)
            if let r = p.failed(now: UInt64(i) * 100_000_000).report { reports.append(r) }
        }
        #expect(reports == [10, 10])
        #expect(p.failed(now: 3_000_000_000).report == 6)
    }

    @Test func resumeIsTrueOnlyWhilePaused() {
        var p = AcceptPause()
        let before = p.resume()
        _ = p.failed(now: 1)
        let during = p.resume()
        let after = p.resume()
        #expect(!before && during && !after)
        #expect(!p.isPaused)
    }
}

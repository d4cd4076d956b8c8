import Testing

@testable import ClaimHTTP

/// The timeouts as a pure decision, on numbers (nanoseconds of the loop's clock).
@Suite struct ConnectionTimeoutsTests {
    let t = ConnectionTimeouts(requestMilliseconds: 10, idleMilliseconds: 60)
    let ms: UInt64 = 1_000_000

    func action(
        partial: UInt64? = nil, stopped: Bool = false, last: UInt64 = 0, inFlight: Int = 0, unsent: Bool = false,
        now: UInt64
    )
        -> ConnectionTimeouts.Action
    {
        t.action(
            partialSince: partial, stopReading: stopped, lastActivity: last, inFlight: inFlight,
            hasUnsentOutput: unsent, now: now)
    }

    @Test func aHalfSentRequestIsAnswered408AfterTheRequestTimeout() {
        #expect(action(partial: 0, last: 0, now: 10 * ms) == .keep)
        #expect(action(partial: 0, last: 0, now: 10 * ms + 1) == .answerRequestTimeout)
        // Already answered and closing: nothing more to say.
        #expect(action(partial: 0, stopped: true, last: 0, now: 11 * ms) == .keep)
    }

    @Test func anIdleConnectionClosesOnlyWhenNothingIsOwed() {
        #expect(action(last: 0, now: 60 * ms) == .keep)
        #expect(action(last: 0, now: 60 * ms + 1) == .close)
        #expect(action(last: 0, inFlight: 1, now: 61 * ms) == .keep)
        #expect(action(last: 0, unsent: true, now: 61 * ms) == .keep)
    }

    @Test func sweepsComeAtHalfTheShorterTimeoutAndAtLeastEverySecond() {
        #expect(t.sweepNanoseconds == 5 * ms)
        #expect(ConnectionTimeouts(requestMilliseconds: 10_000, idleMilliseconds: 60_000).sweepNanoseconds == 1000 * ms)
    }

    @Test func aLingeringConnectionClosesAfterTheLingerTimeoutWhateverElse() {
        let t = ConnectionTimeouts(requestMilliseconds: 10, idleMilliseconds: 60, lingerMilliseconds: 20)
        func lingering(since: UInt64, now: UInt64) -> ConnectionTimeouts.Action {
            t.action(
                partialSince: 0, stopReading: true, lastActivity: now, inFlight: 0, hasUnsentOutput: false,
                lingeringSince: since, now: now)
        }
        #expect(lingering(since: 5 * ms, now: 25 * ms) == .keep)
        #expect(lingering(since: 5 * ms, now: 25 * ms + 1) == .close)
    }
}

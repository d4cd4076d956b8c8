import ClaimPOSIX
import Testing

/// The epoll adapter against the real kernel.
@Suite struct EpollTests {
    /// The nanosecond wait (epoll_pwait2) delivers what is ready, and sleeps at least as long
    /// as asked when nothing is.
    @Test func waitsToTheNanosecond() throws {
        let epoll = try Epoll(maxEvents: 8)
        let signal = try WakeupSignal()
        try epoll.add(signal.fd, .readable, token: 42)
        var seen: [UInt64] = []
        try epoll.wait(timeoutNanoseconds: 0) { token, _ in seen.append(token) }
        #expect(seen.isEmpty)

        let clock = SystemLoopClock()
        let before = clock.nanoseconds()
        try epoll.wait(timeoutNanoseconds: 300_000) { token, _ in seen.append(token) }
        let slept = clock.nanoseconds() - before
        #expect(seen.isEmpty)
        #expect(slept >= 300_000, "woke after \(slept) ns")
        #expect(slept < 1_000_000_000)

        signal.fire()
        try epoll.wait(timeoutNanoseconds: 1_000_000_000) { token, events in
            seen.append(token)
            #expect(events.contains(.readable))
        }
        #expect(seen == [42])
    }
}

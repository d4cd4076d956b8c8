import Testing

@testable import ClaimCore

@Suite struct TokenBucketTests {
    let second: UInt64 = 1_000_000_000

    /// The answers of `take` at each instant, in order (#expect cannot call a mutating method).
    func takes(_ b: inout TokenBucket, at instants: [UInt64]) -> [Bool] { instants.map { b.take(now: $0) } }

    @Test func allowsABurstThenTheRate() {
        var b = TokenBucket(capacity: 3, ratePerSecond: 2, now: 0)
        #expect(takes(&b, at: [0, 0, 0, 0]) == [true, true, true, false])
        #expect(b.retryAfterSeconds() == 1)
        // One token back after half a second at 2/s.
        #expect(takes(&b, at: [second / 2, second / 2]) == [true, false])
    }

    @Test func neverHoldsMoreThanItsCapacity() {
        var b = TokenBucket(capacity: 2, ratePerSecond: 100, now: 0)
        #expect(b.isIdle(now: 0))
        _ = b.take(now: 0)
        #expect(!b.isIdle(now: 0))
        #expect(b.isIdle(now: 60 * second))
        #expect(takes(&b, at: [60 * second, 60 * second, 60 * second]) == [true, true, false])
    }

    @Test func slowRatesAskForLongerWaits() {
        var b = TokenBucket(capacity: 1, ratePerSecond: 0.2, now: 0)
        #expect(takes(&b, at: [0, 0]) == [true, false])
        #expect(b.retryAfterSeconds() == 5)
    }
}

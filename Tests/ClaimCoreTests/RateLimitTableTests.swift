import Testing

@testable import ClaimCore

/// The table against one `TokenBucket` per key (the dictionary it replaced): the same answers,
/// and it stays small for a crowd of one-off claimants.
@Suite struct RateLimitTableTests {
    let limit = RateLimit(burst: 3, perSecond: 5)
    let ms: UInt64 = 1_000_000

    @Test(arguments: [UInt64(1), 2, 3])
    func answersAsABucketPerKeyWould(seed: UInt64) {
        var table = RateLimitTable(limit: limit, capacity: 16, seed: seed)
        var buckets: [String: TokenBucket] = [:]
        var random = SplitMix64(seed: seed)
        var now: UInt64 = 1_000 * ms
        var refused = 0
        for _ in 0..<50_000 {
            now += random.next() % (2 * ms)
            // A few regulars who hit the limit, and a crowd of people seen once or twice.
            let person = random.next() % 4 == 0 ? "r\(random.next() % 5)" : "p\(random.next() % 20_000)"
            let expected: Int? =
                buckets[person, default: limit.bucket(now: now)].take(now: now)
                ? nil : buckets[person]?.retryAfterSeconds()
            let got = table.take(table.key(person), now: now)
            #expect(got == expected, "\(person) at \(now)")
            if got != nil { refused += 1 }
        }
        #expect(refused > 1000)
        // Everyone's bucket is full again within a second: the crowd of 20,000 reused idle
        // slots (a few hundred are busy at any time).
        #expect(table.capacity <= 1 << 12)
    }

    @Test func growsWhileEveryoneIsStillLimitedAndForgetsNoOne() {
        var table = RateLimitTable(limit: RateLimit(burst: 1, perSecond: 0.001), capacity: 16, seed: 7)
        let keys = (0..<5000).map { table.key("p\($0)") }
        #expect(keys.allSatisfy { table.take($0, now: 0) == nil })
        #expect(table.capacity > 5000)
        #expect(keys.allSatisfy { table.take($0, now: ms) != nil })
    }

    @Test func atItsLargestItDropsABucketRatherThanRefuseEveryone() {
        var table = RateLimitTable(limit: RateLimit(burst: 1, perSecond: 0.001), capacity: 16, maxCapacity: 64, seed: 9)
        let keys = (0..<1000).map { table.key(UInt64($0)) }
        #expect(keys.allSatisfy { table.take($0, now: 0) == nil })
        #expect(table.capacity == 64)
        // The latest is still limited; whoever was dropped starts afresh.
        #expect(table.take(keys[999], now: ms) != nil)
        #expect(keys.map { table.take($0, now: ms) }.contains(nil))
        #expect(table.capacity == 64)
    }

    @Test func keysDependOnTheSeedAndTheBytes() {
        let a = RateLimitTable(limit: limit, seed: 1)
        let b = RateLimitTable(limit: limit, seed: 2)
        #expect(a.key("u1") != b.key("u1"))
        #expect(a.key("u1") != a.key("u2"))
        #expect(a.key("u1") == a.key("u1"))
        #expect(a.key(UInt64(0)) != 0)
    }
}

/// Token buckets for many keys (people, client addresses) in one flat open-addressed table: the
/// gateway's abuse limits, taken on every claim. A dictionary of `String` keys cost a claim
/// about 4% of the gateway's time (hashing, uniqueness checks, a periodic rebuild to forget
/// idle buckets); here a key is a seeded 64-bit hash and a bucket that is full again (its owner
/// quiet, so forgetting it changes no answer) is simply overwritten by the next newcomer.
///
/// Two keys with the same 64-bit hash share a bucket: with a random seed per table that is a
/// 2^-64 chance per pair, and people come from signed tokens, not from the caller. A key is
/// looked for in `probes` slots from its home slot; when none of them is free or idle the table
/// doubles (up to `maxCapacity`), and at that size the home slot's bucket is dropped (its owner
/// starts afresh: the limit fails open for one key rather than refusing everyone). Keys are
/// apart from buckets so that a probe window is a cache line or two: once warm, every slot is
/// in use and a newcomer reads the whole window.
public struct RateLimitTable {
    public let limit: RateLimit
    public let maxCapacity: Int
    private let seed: UInt64
    /// 0: never used.
    private var keys: [UInt64]
    private var buckets: [TokenBucket]
    private var mask: Int
    static let probes = 8

    /// `capacity` and `maxCapacity` are rounded up to powers of two (at least `probes`).
    public init(limit: RateLimit, capacity: Int = 1 << 12, maxCapacity: Int = 1 << 19, seed: UInt64) {
        self.limit = limit
        self.seed = seed
        let size = Self.powerOfTwo(atLeast: max(capacity, Self.probes))
        self.maxCapacity = Self.powerOfTwo(atLeast: max(maxCapacity, size))
        keys = Array(repeating: 0, count: size)
        buckets = Array(repeating: limit.bucket(now: 0), count: size)
        mask = size - 1
    }

    public var capacity: Int { keys.count }

    /// The table's key for a person (their UTF-8 bytes, hashed with this table's seed).
    public func key(_ text: String) -> UInt64 {
        Self.finish(FNV1a.hash(text.utf8, basis: FNV1a.offsetBasis ^ seed))
    }

    /// The table's key for a number (an IPv4 address).
    public func key(_ number: UInt64) -> UInt64 { Self.finish(number ^ seed) }

    /// Takes a token from `key`'s bucket at `now` (monotonic nanoseconds): nil if there was one,
    /// else the whole seconds to wait (for `Retry-After`).
    public mutating func take(_ key: UInt64, now: UInt64) -> Int? {
        let i = slot(for: key, now: now)
        if buckets[i].take(now: now) { return nil }
        return buckets[i].retryAfterSeconds()
    }

    /// The slot holding `key`, or a fresh one for it.
    private mutating func slot(for key: UInt64, now: UInt64) -> Int {
        while true {
            var reusable = -1
            let home = Int(truncatingIfNeeded: key) & mask
            for p in 0..<Self.probes {
                let i = (home + p) & mask
                let k = keys[i]
                if k == key { return i }
                if k == 0 {
                    // Slots are never emptied, so the key is not further on.
                    if reusable < 0 { reusable = i }
                    break
                }
                if reusable < 0, buckets[i].isIdle(now: now) { reusable = i }
            }
            if reusable < 0 {
                guard keys.count < maxCapacity else {
                    keys[home] = key
                    buckets[home] = limit.bucket(now: now)
                    return home
                }
                grow(now: now)
                continue
            }
            keys[reusable] = key
            buckets[reusable] = limit.bucket(now: now)
            return reusable
        }
    }

    /// Twice the slots, keeping the buckets that are not idle (one that finds no free slot in
    /// its window is dropped, failing open as above; with twice the room that is all but never).
    private mutating func grow(now: UInt64) {
        let (oldKeys, oldBuckets) = (keys, buckets)
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        buckets = Array(repeating: limit.bucket(now: 0), count: oldKeys.count * 2)
        mask = keys.count - 1
        for (k, b) in zip(oldKeys, oldBuckets) where k != 0 && !b.isIdle(now: now) {
            let home = Int(truncatingIfNeeded: k) & mask
            for p in 0..<Self.probes where keys[(home + p) & mask] == 0 {
                keys[(home + p) & mask] = k
                buckets[(home + p) & mask] = b
                break
            }
        }
    }

    /// SplitMix64's output for `x` as its state, so that nearby inputs land far apart; never 0
    /// (the empty key).
    private static func finish(_ x: UInt64) -> UInt64 {
        var mix = SplitMix64(seed: x)
        let z = mix.next()
        return z == 0 ? 1 : z
    }

    private static func powerOfTwo(atLeast n: Int) -> Int {
        var size = 1
        while size < n { size <<= 1 }
        return size
    }
}

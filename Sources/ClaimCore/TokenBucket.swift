/// A token bucket: `capacity` requests at once, refilled at `ratePerSecond`. Pure (the caller
/// passes monotonic nanoseconds), so abuse limits are unit-tested without a clock.
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let ratePerSecond: Double
    private var tokens: Double
    private var last: UInt64

    public init(capacity: Double, ratePerSecond: Double, now: UInt64) {
        self.capacity = capacity
        self.ratePerSecond = ratePerSecond
        self.tokens = capacity
        self.last = now
    }

    private mutating func refill(_ now: UInt64) {
        if now > last {
            tokens = min(capacity, tokens + Double(now - last) / 1e9 * ratePerSecond)
            last = now
        }
    }

    /// Takes one token if there is one.
    public mutating func take(now: UInt64) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whole seconds until a token is there again (for `Retry-After`), at least 1.
    public func retryAfterSeconds() -> Int {
        max(1, Int(((1 - tokens) / ratePerSecond).rounded(.up)))
    }

    /// True when the bucket is full again by `now`: its owner has been quiet, so it can be
    /// forgotten without changing any answer.
    public func isIdle(now: UInt64) -> Bool {
        tokens + Double(now > last ? now - last : 0) / 1e9 * ratePerSecond >= capacity
    }
}

/// A configured limit: bursts of `burst`, `perSecond` sustained.
public struct RateLimit: Hashable, Sendable {
    public var burst: Double
    public var perSecond: Double

    public init(burst: Double, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }

    public func bucket(now: UInt64) -> TokenBucket { TokenBucket(capacity: burst, ratePerSecond: perSecond, now: now) }
}

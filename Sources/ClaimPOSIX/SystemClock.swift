import CClaimSys
import ClaimCore

/// The machine's real-time clock (CLOCK_REALTIME), to the millisecond.
public struct SystemClock: ClaimClock {
    public init() {}
    public func now() -> Instant { Instant(unixMilliseconds: cg_realtime_ms()) }
}

/// CLOCK_MONOTONIC: for timeouts and latencies, which must not jump with the wall clock.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 { cg_monotonic_ns() }
}

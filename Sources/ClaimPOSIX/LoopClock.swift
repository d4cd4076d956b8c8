import CClaimSys
import Synchronization

/// Monotonic nanoseconds: the one clock an event loop and everything on it read, for
/// timeouts, timers, rate limits and latencies. Injected, so tests move time by hand.
public protocol LoopClock: Sendable {
    func nanoseconds() -> UInt64
}

/// CLOCK_MONOTONIC, which does not jump with the wall clock.
public struct SystemLoopClock: LoopClock {
    public init() {}
    public func nanoseconds() -> UInt64 { cg_monotonic_ns() }
}

/// A clock that moves only when told (`advance`): timers and timeouts tested without sleeping.
public final class ManualLoopClock: LoopClock {
    private let value: Atomic<UInt64>

    public init(nanoseconds: UInt64 = 1_000_000_000) { value = Atomic(nanoseconds) }

    public func nanoseconds() -> UInt64 { value.load(ordering: .relaxed) }

    public func advance(milliseconds: UInt64) { value.add(milliseconds * 1_000_000, ordering: .relaxed) }
}

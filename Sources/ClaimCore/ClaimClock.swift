/// Where the gateway reads "now". Injected everywhere so a 2022 release day can be replayed
/// today and tests can stand on either side of 10:00:00.000.
public protocol ClaimClock: Sendable {
    func now() -> Instant
}

/// A clock that starts at a chosen instant and then runs on at the pace of `base`
/// (`--now 2022-06-10T09:59:50+08:00` replays a release day in real time).
public struct ShiftedClock<Base: ClaimClock>: ClaimClock {
    public let base: Base
    public let offsetMilliseconds: Int64

    public init(base: Base, startingAt start: Instant) {
        self.base = base
        self.offsetMilliseconds = start.unixMilliseconds - base.now().unixMilliseconds
    }

    public func now() -> Instant { base.now().adding(milliseconds: offsetMilliseconds) }
}

/// A clock that never moves; for tests and for computing answers "as of" an instant.
public struct FixedClock: ClaimClock {
    public let instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}

/// One release of a pool: the stock for `id` is claimable from `opensAt` (inclusive) to
/// `closesAt` (exclusive). Per-person limits count within one window.
public struct ReleaseWindow: Hashable, Sendable {
    /// `2022-06-10` for daily windows, the period's id (`p1`) for period windows.
    public let id: String
    public let opensAt: Instant
    public let closesAt: Instant

    public init(id: String, opensAt: Instant, closesAt: Instant) {
        self.id = id
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    public func contains(_ instant: Instant) -> Bool { opensAt <= instant && instant < closesAt }
}

/// Where an instant falls in a pool's schedule.
public enum SchedulePosition: Hashable, Sendable {
    /// Claims are accepted in this window now.
    case open(ReleaseWindow)
    /// Nothing is open; this is the next window (before the programme, or between releases).
    case upcoming(ReleaseWindow)
    /// The last window has closed.
    case ended
}

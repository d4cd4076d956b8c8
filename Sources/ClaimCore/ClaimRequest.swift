/// A claim that passed every check the gateway can make alone, ready for the atomic script.
public struct ClaimRequest: Hashable, Sendable {
    public let pool: Pool
    public let window: ReleaseWindow
    public let person: String
    public let claimedAt: Instant
    public let expiresAt: Instant
    /// The client's `Idempotency-Key`, if it sent one (an `Identifier`).
    public let idempotencyKey: String?
    /// The store whose QR code was scanned, for in-store pools.
    public let store: String?

    /// The segment this person claims in (the pool itself when it is not split).
    public var segment: PoolSegment { pool.segment(of: person) }

    public init(
        pool: Pool, window: ReleaseWindow, person: String, claimedAt: Instant, expiresAt: Instant,
        idempotencyKey: String?, store: String? = nil
    ) {
        self.pool = pool
        self.window = window
        self.person = person
        self.claimedAt = claimedAt
        self.expiresAt = expiresAt
        self.idempotencyKey = idempotencyKey
        self.store = store
    }
}

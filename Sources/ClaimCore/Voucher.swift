/// A claimed voucher as the resident sees it in the wallet.
public struct Voucher: Hashable, Sendable {
    /// `pool:window:sequence`, unique for ever (the sequence only grows).
    public let id: String
    public let pool: String
    public let window: String
    public let owner: String
    public let faceFen: Int
    public let thresholdFen: Int
    public let claimedAt: Instant
    public let expiresAt: Instant

    public init(
        id: String, pool: String, window: String, owner: String, faceFen: Int, thresholdFen: Int,
        claimedAt: Instant, expiresAt: Instant
    ) {
        self.id = id
        self.pool = pool
        self.window = window
        self.owner = owner
        self.faceFen = faceFen
        self.thresholdFen = thresholdFen
        self.claimedAt = claimedAt
        self.expiresAt = expiresAt
    }

    public func isExpired(at instant: Instant) -> Bool { instant >= expiresAt }
}

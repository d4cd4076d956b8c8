/// A claimed voucher as the resident sees it in the wallet.
public struct Voucher: Hashable, Sendable {
    /// `pool:window:sequence` (a bundle's vouchers add `.1`, `.2`, ...), unique for ever: the
    /// sequence only grows.
    public let id: String
    public let pool: String
    public let window: String
    public let owner: String
    public let faceFen: Int
    public let thresholdFen: Int
    public let claimedAt: Instant
    public let expiresAt: Instant
    /// The store it was claimed in (in-store pools).
    public let store: String?
    /// Set once a merchant has redeemed it (and cleared by a reversal).
    public var redemption: VoucherRedemption?

    public init(
        id: String, pool: String, window: String, owner: String, faceFen: Int, thresholdFen: Int,
        claimedAt: Instant, expiresAt: Instant, store: String? = nil, redemption: VoucherRedemption? = nil
    ) {
        self.id = id
        self.pool = pool
        self.window = window
        self.owner = owner
        self.faceFen = faceFen
        self.thresholdFen = thresholdFen
        self.claimedAt = claimedAt
        self.expiresAt = expiresAt
        self.store = store
        self.redemption = redemption
    }

    public func isExpired(at instant: Instant) -> Bool { instant >= expiresAt }

    /// `used` wins over `expired`: a voucher used in time stays used.
    public func state(at instant: Instant) -> VoucherState {
        Self.state(expiresAt: expiresAt, redeemed: redemption != nil, at: instant)
    }

    /// The rule itself, for a caller that holds no `Voucher` (a fresh grant's pre-rendered answer).
    public static func state(expiresAt: Instant, redeemed: Bool, at instant: Instant) -> VoucherState {
        if redeemed { return .used }
        return instant >= expiresAt ? .expired : .usable
    }
}

/// Where a voucher stands for its owner.
public enum VoucherState: String, Hashable, Sendable {
    case usable, used, expired
}

/// Which order used a voucher.
public struct VoucherRedemption: Hashable, Sendable {
    public let merchant: String
    public let order: String
    public let amountFen: Int
    public let at: Instant

    public init(merchant: String, order: String, amountFen: Int, at: Instant) {
        self.merchant = merchant
        self.order = order
        self.amountFen = amountFen
        self.at = at
    }
}

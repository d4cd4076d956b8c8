/// A merchant's request to take a voucher off an order, checked by the gateway (tokens, scope)
/// and then atomically by the redeem script (owner, expiry, threshold, usage, once only).
public struct RedemptionRequest: Hashable, Sendable {
    public let pool: Pool
    public let voucherID: String
    /// The paying person, from the payment code (their own token) shown at the till.
    public let person: String
    public let merchant: String
    /// The merchant's order id: retrying the same order returns the first answer.
    public let order: String
    public let amountFen: Int
    public let now: Instant

    public init(
        pool: Pool, voucherID: String, person: String, merchant: String, order: String, amountFen: Int, now: Instant
    ) {
        self.pool = pool
        self.voucherID = voucherID
        self.person = person
        self.merchant = merchant
        self.order = order
        self.amountFen = amountFen
        self.now = now
    }

    /// Where the voucher's keys live: the storage id its id starts with (`PoolSegment`).
    public var storageID: String { Self.poolID(ofVoucher: voucherID) ?? pool.id }

    /// The storage id a voucher id starts with (`pool:window:sequence`; `pool.sK:...` for a
    /// split pool's segment K), or nil if it is not a voucher id.
    public static func poolID(ofVoucher id: String) -> String? {
        guard let colon = id.firstIndex(of: ":"), colon != id.startIndex else { return nil }
        let pool = String(id[..<colon])
        return Identifier.isValid(pool) ? pool : nil
    }
}

/// Every answer a redemption can get. The raw values of the refusals are the API's codes.
public enum RedemptionOutcome: Hashable, Sendable {
    /// The voucher took `discountFen` off; the person pays `dueFen`.
    /// `amountFen` is the order amount the redemption was made with (a replay's is the first's).
    case redeemed(amountFen: Int, discountFen: Int, dueFen: Int, replayed: Bool)
    case refused(RedemptionRefusal)
}

/// Why a voucher could not be redeemed.
public enum RedemptionRefusal: String, Hashable, Sendable, CaseIterable {
    case unknownVoucher = "unknown_voucher"
    case notOwner = "not_owner"
    case expired = "expired"
    case belowThreshold = "below_threshold"
    case outOfScope = "out_of_scope"
    case usageLimit = "usage_limit"
    case alreadyUsed = "already_used"
    /// The order id was used before for another voucher, or was reversed.
    case orderConflict = "order_conflict"

    public var status: Int {
        switch self {
        case .unknownVoucher: 404
        case .notOwner, .outOfScope: 403
        case .expired, .belowThreshold, .usageLimit, .alreadyUsed, .orderConflict: 409
        }
    }

    public var message: String {
        switch self {
        case .unknownVoucher: "no such voucher"
        case .notOwner: "the voucher belongs to someone else"
        case .expired: "the voucher has expired"
        case .belowThreshold: "the order does not reach the voucher's threshold"
        case .outOfScope: "this merchant's category does not accept the voucher"
        case .usageLimit: "this person has used as many vouchers of this kind as the programme allows"
        case .alreadyUsed: "the voucher has been used"
        case .orderConflict: "this order id was already used for another voucher or reversed"
        }
    }
}

/// Every answer a reversal (refund) can get.
public enum ReversalOutcome: Hashable, Sendable {
    /// The voucher is usable again; `replayed` when this order was reversed before.
    case reversed(replayed: Bool)
    case unknownOrder
    /// Past its expiry the voucher stays used: a refund cannot revive it.
    case expired
}

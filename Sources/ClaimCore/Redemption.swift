/// A merchant's request to take a voucher off an order, checked by the gateway (token, scope)
/// and then atomically by the redeem script (payment code, owner, expiry, threshold, usage,
/// once only).
public struct RedemptionRequest: Hashable, Sendable {
    public let pool: Pool
    public let voucherID: String
    /// The single-use code the paying resident's app showed at the till: the script reads the
    /// payer from it and consumes it with the voucher.
    public let paymentCode: PaymentCode
    public let merchant: String
    /// The merchant's order id: retrying the same order returns the first answer.
    public let order: String
    public let amountFen: Int
    public let now: Instant

    public init(
        pool: Pool, voucherID: String, paymentCode: PaymentCode, merchant: String, order: String, amountFen: Int,
        now: Instant
    ) {
        self.pool = pool
        self.voucherID = voucherID
        self.paymentCode = paymentCode
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

/// Why a voucher could not be redeemed (or a payment code not issued for it).
public enum RedemptionRefusal: String, Hashable, Sendable, CaseIterable {
    /// No such payment code (never issued, or gone ten minutes after its expiry).
    case paymentCodeUnknown = "payment_code_unknown"
    /// The code was issued for another voucher.
    case paymentCodeOtherVoucher = "payment_code_other_voucher"
    /// The resident bound the code to another merchant.
    case paymentCodeOtherMerchant = "payment_code_other_merchant"
    /// The code has paid once already (another order).
    case paymentCodeUsed = "payment_code_used"
    /// The code's minute is over.
    case paymentCodeExpired = "payment_code_expired"
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
        case .paymentCodeUnknown, .paymentCodeOtherVoucher, .paymentCodeOtherMerchant, .paymentCodeUsed,
            .paymentCodeExpired:
            409
        }
    }

    public var message: String {
        switch self {
        case .paymentCodeUnknown: "no such payment code; ask the resident's app for a new one"
        case .paymentCodeOtherVoucher: "the payment code was issued for another voucher"
        case .paymentCodeOtherMerchant: "the payment code was issued for another merchant"
        case .paymentCodeUsed: "the payment code has been used; ask the resident's app for a new one"
        case .paymentCodeExpired: "the payment code has expired; ask the resident's app for a new one"
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

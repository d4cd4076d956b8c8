/// A resident asking for a payment code for one of their vouchers (`POST /v1/me/payment-codes`),
/// checked by the gateway (token, body) and then by `paycode.lua` (owner, not used, not expired).
public struct PaymentCodeRequest: Hashable, Sendable {
    /// The freshly drawn code.
    public let code: PaymentCode
    public let voucherID: String
    /// Who asked: the voucher must be theirs.
    public let person: String
    /// The one merchant the code may pay, if the resident named one.
    public let merchant: String?
    public let now: Instant

    public init(code: PaymentCode, voucherID: String, person: String, merchant: String?, now: Instant) {
        self.code = code
        self.voucherID = voucherID
        self.person = person
        self.merchant = merchant
        self.now = now
    }

    /// When the till can no longer scan it.
    public var expiresAt: Instant { now.adding(milliseconds: PaymentCode.lifetimeMilliseconds) }
}

/// Every answer a payment-code request can get from Redis.
public enum PaymentCodeOutcome: Hashable, Sendable {
    case issued
    /// The voucher is unknown, someone else's, used or expired.
    case refused(RedemptionRefusal)
    /// Another live code has the same characters (132 random bits: never, in practice): draw again.
    case codeTaken
}

/// One face of one kind of voucher: the unit that has stock, a schedule and a limit.
public struct Pool: Hashable, Sendable {
    /// `appliance-500`; an `Identifier`, used as the Redis hash tag and in URLs.
    public let id: String
    public let kind: PoolKind
    public let name: String
    /// Face value in fen (1 yuan = 100 fen); for a bundle, the sum of its vouchers.
    public let faceFen: Int
    /// The order amount in fen a voucher needs before it applies (满 X 减 Y).
    public let thresholdFen: Int
    /// How many a person may claim in one window (1 in every pool of this programme).
    public let limitPerWindow: Int
    public let schedule: ReleaseSchedule
    /// Vouchers (or bundles) released when a window opens.
    public let stockPerRelease: Int
    public let validity: ValidityRule
    public let eligibility: EligibilityRule
    /// Merchant categories that accept the voucher.
    public let merchantCategories: [String]

    public init(
        id: String, kind: PoolKind, name: String, faceFen: Int, thresholdFen: Int, limitPerWindow: Int,
        schedule: ReleaseSchedule, stockPerRelease: Int, validity: ValidityRule, eligibility: EligibilityRule,
        merchantCategories: [String]
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.faceFen = faceFen
        self.thresholdFen = thresholdFen
        self.limitPerWindow = limitPerWindow
        self.schedule = schedule
        self.stockPerRelease = stockPerRelease
        self.validity = validity
        self.eligibility = eligibility
        self.merchantCategories = merchantCategories
    }
}

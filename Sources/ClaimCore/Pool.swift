/// One face of one kind of voucher: the unit that has stock, a schedule and a limit.
///
/// Immutable, and a class rather than a struct for one reason: a claim hands its pool on
/// several times (its request, its segment, its pending Redis call), and a struct copy of a
/// dozen reference-counted fields costs a retain and a release for each, on every claim.
/// Equality is still the value's (every field), so nothing can tell it from a struct.
public final class Pool: Hashable, Sendable {
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
    /// The window's stock is released by the first claim at or after its opening instant,
    /// inside the claim script (exactly once, whichever gateway gets there first). When false,
    /// an operator must run `claimctl open`.
    public let autoOpen: Bool
    /// Claims need a participating store's QR token for the claim day (appliance vouchers).
    public let requiresStoreQR: Bool
    /// How many vouchers of this pool a person may redeem over the whole programme, if limited
    /// (appliance: one of each face).
    public let useLimitPerProgramme: Int?
    /// The faces of the vouchers one grant hands out: `[faceFen]`, or a bundle (housing-fair:
    /// 1 x 1000 + 2 x 500 yuan), granted all together or not at all.
    public let bundleFen: [Int]
    /// Segments the pool's stock is split into (1: not split). Each segment has its own Redis
    /// hash tag, so a national hot pool spreads over cluster shards (see `PoolSegment`).
    public let segmentCount: Int

    public init(
        id: String, kind: PoolKind, name: String, faceFen: Int, thresholdFen: Int, limitPerWindow: Int,
        schedule: ReleaseSchedule, stockPerRelease: Int, validity: ValidityRule, eligibility: EligibilityRule,
        merchantCategories: [String], autoOpen: Bool = true, requiresStoreQR: Bool = false,
        useLimitPerProgramme: Int? = nil, bundleFen: [Int]? = nil, segmentCount: Int = 1
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
        self.autoOpen = autoOpen
        self.requiresStoreQR = requiresStoreQR
        self.useLimitPerProgramme = useLimitPerProgramme
        self.bundleFen = bundleFen ?? [faceFen]
        self.segmentCount = max(1, segmentCount)
    }

    public static func == (a: Pool, b: Pool) -> Bool {
        a === b
            || (a.id == b.id && a.kind == b.kind && a.name == b.name && a.faceFen == b.faceFen
                && a.thresholdFen == b.thresholdFen && a.limitPerWindow == b.limitPerWindow && a.schedule == b.schedule
                && a.stockPerRelease == b.stockPerRelease && a.validity == b.validity && a.eligibility == b.eligibility
                && a.merchantCategories == b.merchantCategories && a.autoOpen == b.autoOpen
                && a.requiresStoreQR == b.requiresStoreQR && a.useLimitPerProgramme == b.useLimitPerProgramme
                && a.bundleFen == b.bundleFen && a.segmentCount == b.segmentCount)
    }

    /// Equal pools have equal ids, so the id alone is a consistent hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// Vouchers per grant (1, or the bundle's size).
    public var vouchersPerGrant: Int { bundleFen.count }

    /// True if a merchant in any of `categories` may accept this pool's vouchers.
    public func accepts(anyOf categories: [String]) -> Bool {
        categories.contains { merchantCategories.contains($0) }
    }
}

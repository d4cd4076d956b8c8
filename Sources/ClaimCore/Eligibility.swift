/// What the identity provider vouches for about a person (from the verified token only; a
/// request body never supplies these).
public struct EligibilityFacts: Hashable, Sendable {
    /// Administrative region code where the person is located now (GPS check by the app).
    public var region: String
    public var realName: Bool
    /// The first digits of the bound bank card (`62` for UnionPay), or empty if none.
    public var cardPrefix: String
    public var account: AccountKind

    public init(region: String, realName: Bool, cardPrefix: String, account: AccountKind) {
        self.region = region
        self.realName = realName
        self.cardPrefix = cardPrefix
        self.account = account
    }
}

/// Individual residents may claim; enterprise accounts are excluded from the specialty pools.
public enum AccountKind: String, Hashable, Sendable {
    case individual
    case enterprise
}

/// Why a person may not claim from a pool. The raw value is the API's `reason`.
public enum NotEligibleReason: String, Hashable, Sendable {
    case outsideCity = "outside_city"
    case notRealName = "not_real_name"
    case cardPrefix = "card_prefix"
    case enterpriseAccount = "enterprise_account"
    case notOnBuyerList = "not_on_buyer_list"
    case storeQRRequired = "store_qr_required"
    case storeQRInvalid = "store_qr_invalid"
    case storeQROtherDay = "store_qr_other_day"
    case unknownStore = "unknown_store"
}

/// Who may claim from a pool.
public struct EligibilityRule: Hashable, Sendable {
    /// The person must be located in this region (the city), or nil for nationwide.
    public var region: String?
    public var requiresRealName: Bool
    /// The bound card must start with this, or nil for no card rule.
    public var cardPrefix: String?
    public var individualsOnly: Bool
    /// Only people on an uploaded list may claim (housing-fair buyers); checked in Redis.
    public var requiresBuyerList: Bool

    public init(
        region: String? = nil, requiresRealName: Bool = false, cardPrefix: String? = nil,
        individualsOnly: Bool = false, requiresBuyerList: Bool = false
    ) {
        self.region = region
        self.requiresRealName = requiresRealName
        self.cardPrefix = cardPrefix
        self.individualsOnly = individualsOnly
        self.requiresBuyerList = requiresBuyerList
    }

    /// The first rule the person fails, or nil. The buyer list is not checked here.
    public func refusal(for facts: EligibilityFacts) -> NotEligibleReason? {
        if let region, facts.region != region { return .outsideCity }
        if requiresRealName, !facts.realName { return .notRealName }
        if let cardPrefix, !facts.cardPrefix.hasPrefix(cardPrefix) || facts.cardPrefix.isEmpty { return .cardPrefix }
        if individualsOnly, facts.account != .individual { return .enterpriseAccount }
        return nil
    }
}

import ClaimCore

/// A verified merchant token: who redeems, and the categories the merchant trades in.
/// Signed by the identity provider with `"role":"merchant"`; categories are comma-separated
/// (`"cats":"restaurant,bakery"`) because token payloads are flat.
public struct MerchantToken: Hashable, Sendable {
    public let merchant: String
    public let categories: [String]
    public let expiresAt: Instant
    /// Not before (`nbf`), if the provider set one.
    public let notBefore: Instant?

    public init(merchant: String, categories: [String], expiresAt: Instant, notBefore: Instant? = nil) {
        self.merchant = merchant
        self.categories = categories
        self.expiresAt = expiresAt
        self.notBefore = notBefore
    }

    public func payload() -> [UInt8] {
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        w.field("sub", merchant)
        w.field("role", "merchant")
        w.field("cats", categories.joined(separator: ","))
        w.field("exp", Int(expiresAt.unixMilliseconds / 1000))
        if let notBefore { w.field("nbf", Int(notBefore.unixMilliseconds / 1000)) }
        w.endObject()
        return w.bytes
    }

    static func from(payload json: FlatJSONObject) -> Result<MerchantToken, TokenError> {
        guard json.string("role") == "merchant" else { return .failure(.badClaim("role")) }
        guard let sub = json.string("sub"), Identifier.isValid(sub) else { return .failure(.badClaim("sub")) }
        guard let exp = json.integer("exp"), exp > 0, exp < 100_000_000_000 else { return .failure(.badClaim("exp")) }
        var notBefore: Instant?
        if json["nbf"] != nil {
            guard let nbf = json.integer("nbf"), nbf > 0, nbf < 100_000_000_000 else {
                return .failure(.badClaim("nbf"))
            }
            notBefore = Instant(unixMilliseconds: nbf * 1000)
        }
        let cats = (json.string("cats") ?? "").split(separator: ",").map(String.init)
        guard !cats.isEmpty, cats.count <= 32, cats.allSatisfy(Identifier.isValid) else {
            return .failure(.badClaim("cats"))
        }
        return .success(
            MerchantToken(
                merchant: sub, categories: cats, expiresAt: Instant(unixMilliseconds: exp * 1000), notBefore: notBefore)
        )
    }
}

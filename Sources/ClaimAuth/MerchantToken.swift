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
        TokenLifetime(expiresAt: expiresAt, notBefore: notBefore).write(into: &w)
        w.endObject()
        return w.bytes
    }

    static func from(payload json: FlatJSONObject) -> Result<MerchantToken, TokenError> {
        guard json.string("role") == "merchant" else { return .failure(.badClaim("role")) }
        guard let sub = json.string("sub"), Identifier.isValid(sub) else { return .failure(.badClaim("sub")) }
        let lifetime: TokenLifetime
        switch TokenLifetime.read(json) {
        case .failure(let e): return .failure(e)
        case .success(let l): lifetime = l
        }
        let cats = (json.string("cats") ?? "").split(separator: ",").map(String.init)
        guard !cats.isEmpty, cats.count <= 32, cats.allSatisfy(Identifier.isValid) else {
            return .failure(.badClaim("cats"))
        }
        return .success(
            MerchantToken(
                merchant: sub, categories: cats, expiresAt: lifetime.expiresAt, notBefore: lifetime.notBefore)
        )
    }
}

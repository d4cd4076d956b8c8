import ClaimCore

/// What a verified resident token says: who the person is and the facts eligibility needs.
public struct PersonToken: Hashable, Sendable {
    /// The person's id (`sub`), an `Identifier`.
    public let person: String
    public let facts: EligibilityFacts
    /// Expiry (`exp`, seconds since the epoch).
    public let expiresAt: Instant
    /// Not before (`nbf`), if the provider set one.
    public let notBefore: Instant?

    public init(person: String, facts: EligibilityFacts, expiresAt: Instant, notBefore: Instant? = nil) {
        self.person = person
        self.facts = facts
        self.expiresAt = expiresAt
        self.notBefore = notBefore
    }

    /// The JWT payload fields, as the identity provider writes them.
    public func payload() -> [UInt8] {
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        w.field("sub", person)
        w.field("region", facts.region)
        w.field("real_name", facts.realName)
        w.field("card", facts.cardPrefix)
        w.field("acct", facts.account.rawValue)
        TokenLifetime(expiresAt: expiresAt, notBefore: notBefore).write(into: &w)
        w.endObject()
        return w.bytes
    }

    /// Reads the payload fields; nil names the first missing or malformed one.
    static func from(payload json: FlatJSONObject) -> Result<PersonToken, TokenError> {
        // A merchant's token (or anything with another role) never acts as a resident.
        if let role = json.string("role"), role != "resident" { return .failure(.badClaim("role")) }
        guard let sub = json.string("sub"), Identifier.isValid(sub) else { return .failure(.badClaim("sub")) }
        let lifetime: TokenLifetime
        switch TokenLifetime.read(json) {
        case .failure(let e): return .failure(e)
        case .success(let l): lifetime = l
        }
        let region = json.string("region") ?? ""
        let realName = json.bool("real_name") ?? false
        let card = json.string("card") ?? ""
        let account: AccountKind
        switch json.string("acct") {
        case nil: account = .individual
        case .some(let a):
            guard let k = AccountKind(rawValue: a) else { return .failure(.badClaim("acct")) }
            account = k
        }
        return .success(
            PersonToken(
                person: sub,
                facts: EligibilityFacts(region: region, realName: realName, cardPrefix: card, account: account),
                expiresAt: lifetime.expiresAt, notBefore: lifetime.notBefore))
    }
}

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

    /// The payload's claims as the rules read them, however the payload was parsed. Text claims
    /// hold string values only (a claim of another type reads as absent, as before).
    struct Claims {
        var role: String?
        var sub: String?
        var exp: Int64?
        /// nil: absent; `.some(nil)`: present but not an integer.
        var nbf: Int64??
        var region: String?
        var realName: Bool?
        var card: String?
        var acct: String?
    }

    /// Reads the payload fields; the failure names the first missing or malformed one.
    static func from(payload json: FlatJSONObject) -> Result<PersonToken, TokenError> {
        from(
            Claims(
                role: json.string("role"), sub: json.string("sub"), exp: json.integer("exp"),
                nbf: json["nbf"] == nil ? nil : .some(json.integer("nbf")), region: json.string("region"),
                realName: json.bool("real_name"), card: json.string("card"), acct: json.string("acct")))
    }

    /// The same, read in place from the payload's bytes with `FlatJSONScanner`: every claim
    /// gateway tokens carry is a short ASCII string, a number or a boolean, so nothing is
    /// allocated. Nil when some key or string has an escape or a non-ASCII byte: those need
    /// the full decoder (`from(payload:)` over `FlatJSONObject`), which gives the same answer.
    static func read(payload bytes: UnsafeRawBufferPointer) -> Result<PersonToken, TokenError>? {
        var claims = Claims()
        // true: read; false: not a valid payload; nil: needs the full decoder.
        let scanned = withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: FlatJSONObject.maxFields) {
            keys -> Bool? in
            guard var scanner = try? FlatJSONScanner(bytes) else { return false }
            var count = 0
            while true {
                let member: FlatJSONScanner.Member
                do {
                    guard let m = try scanner.next() else { return true }
                    member = m
                } catch { return false }
                guard member.keyIsPlain else { return nil }
                if case .string(_, plain: false) = member.value { return nil }
                // Duplicate keys are refused, as FlatJSONObject refuses them (plain keys: the
                // bytes are the key).
                for k in 0..<count where Self.same(bytes, keys[k], member.key) { return false }
                keys[count] = member.key
                count += 1
                func text() -> String? {
                    guard case .string(let r, _) = member.value else { return nil }
                    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self)
                }
                func integer() -> Int64? {
                    guard case .integer(let v) = member.value else { return nil }
                    return v
                }
                let key = member.key
                if Self.named(bytes, key, "sub") {
                    claims.sub = text()
                } else if Self.named(bytes, key, "exp") {
                    claims.exp = integer()
                } else if Self.named(bytes, key, "region") {
                    claims.region = text()
                } else if Self.named(bytes, key, "real_name") {
                    if case .bool(let b) = member.value { claims.realName = b }
                } else if Self.named(bytes, key, "card") {
                    claims.card = text()
                } else if Self.named(bytes, key, "acct") {
                    claims.acct = text()
                } else if Self.named(bytes, key, "nbf") {
                    claims.nbf = .some(integer())
                } else if Self.named(bytes, key, "role") {
                    claims.role = text()
                }
            }
        }
        switch scanned {
        case nil: return nil
        case false?: return .failure(.malformed)
        case true?: return from(claims)
        }
    }

    /// The rules, in the order their failures are reported.
    static func from(_ c: Claims) -> Result<PersonToken, TokenError> {
        // A merchant's token (or anything with another role) never acts as a resident.
        if let role = c.role, role != "resident" { return .failure(.badClaim("role")) }
        guard let sub = c.sub, Identifier.isValid(sub) else { return .failure(.badClaim("sub")) }
        let lifetime: TokenLifetime
        switch TokenLifetime.read(exp: c.exp, nbf: c.nbf) {
        case .failure(let e): return .failure(e)
        case .success(let l): lifetime = l
        }
        let account: AccountKind
        switch c.acct {
        case nil: account = .individual
        case .some(let a):
            guard let k = AccountKind(rawValue: a) else { return .failure(.badClaim("acct")) }
            account = k
        }
        return .success(
            PersonToken(
                person: sub,
                facts: EligibilityFacts(
                    region: c.region ?? "", realName: c.realName ?? false, cardPrefix: c.card ?? "", account: account),
                expiresAt: lifetime.expiresAt, notBefore: lifetime.notBefore))
    }

    private static func named(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ name: StaticString) -> Bool {
        ByteMatch.equal(UnsafeRawBufferPointer(rebasing: b[r]), name)
    }

    private static func same(_ b: UnsafeRawBufferPointer, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        ByteMatch.equal(UnsafeRawBufferPointer(rebasing: b[x]), UnsafeRawBufferPointer(rebasing: b[y]))
    }
}

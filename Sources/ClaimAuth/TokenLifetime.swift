import ClaimCore

/// When a token may be used: `exp` (required) and `nbf` (optional), in seconds since the
/// epoch in the payload. One reading, writing and checking for every kind of token.
struct TokenLifetime: Hashable, Sendable {
    let expiresAt: Instant
    let notBefore: Instant?

    /// Seconds beyond this are not a date any provider issues (year 5138).
    private static let latestSeconds: Int64 = 100_000_000_000

    /// Reads `exp` and `nbf`, naming the first that is missing or malformed.
    static func read(_ json: FlatJSONObject) -> Result<TokenLifetime, TokenError> {
        read(exp: json.integer("exp"), nbf: json["nbf"] == nil ? nil : .some(json.integer("nbf")))
    }

    /// The same from the values, however the payload was read: `exp` is nil when absent or not
    /// an integer; `nbf` is nil when absent and `.some(nil)` when present but not an integer.
    static func read(exp: Int64?, nbf: Int64??) -> Result<TokenLifetime, TokenError> {
        guard let exp, exp > 0, exp < latestSeconds else { return .failure(.badClaim("exp")) }
        var notBefore: Instant?
        if let nbf {
            guard let nbf, nbf > 0, nbf < latestSeconds else { return .failure(.badClaim("nbf")) }
            notBefore = Instant(unixMilliseconds: nbf * 1000)
        }
        return .success(TokenLifetime(expiresAt: Instant(unixMilliseconds: exp * 1000), notBefore: notBefore))
    }

    /// Writes `exp` (and `nbf`, if set) as the provider does.
    func write(into w: inout JSONWriter) {
        w.field("exp", Int(expiresAt.unixMilliseconds / 1000))
        if let notBefore { w.field("nbf", Int(notBefore.unixMilliseconds / 1000)) }
    }

    /// Why the token cannot be used at `now` with `skew` either way, nil if it can.
    func problem(at now: Instant, skewMilliseconds skew: Int64) -> TokenError? {
        if now.adding(milliseconds: -skew) >= expiresAt { return .expired }
        if let notBefore, now.adding(milliseconds: skew) < notBefore { return .notYetValid }
        return nil
    }
}

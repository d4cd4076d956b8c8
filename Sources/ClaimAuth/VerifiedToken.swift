import ClaimCore

/// A resident token verified away from the loop that will use it (a thread of its own, while
/// the loop serves), on its way to that loop's `VerifiedTokenCache`. Only `check` makes one,
/// by verifying, so a cache fed with them still holds nothing that did not verify. `Sendable`:
/// it crosses from the verifying thread to the loop.
public struct VerifiedToken: Sendable {
    public let digest: TokenDigest
    let token: PersonToken

    /// `token` verified by `verifier` at `now`.
    public static func check(_ token: UnsafeRawBufferPointer, now: Instant, with verifier: TokenVerifier) -> Result<
        VerifiedToken, TokenError
    > {
        verifier.verify(token, now: now).map { VerifiedToken(digest: TokenDigest(of: token), token: $0) }
    }

    /// The same token with text of its own, allocated on the calling thread: what a loop passes
    /// on of a token another thread made, so that every copy is freed where it was made.
    public func ownCopy() -> VerifiedToken { VerifiedToken(digest: digest, token: token.ownCopy()) }
}

extension PersonToken {
    /// The same with text of its own (an assigned `String` shares its storage).
    func ownCopy() -> PersonToken {
        func own(_ s: String) -> String {
            String(unsafeUninitializedCapacity: s.utf8.count) { $0.initialize(fromContentsOf: s.utf8) }
        }
        return PersonToken(
            person: own(person),
            facts: EligibilityFacts(
                region: own(facts.region), realName: facts.realName, cardPrefix: own(facts.cardPrefix),
                account: facts.account),
            expiresAt: expiresAt, notBefore: notBefore)
    }
}

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
}

import ClaimCore
import Crypto

/// Mints HS256 JWTs the way the identity provider does: for tests, the demo and `claimload`.
/// Not `Sendable` (swift-crypto's key is not): one per thread.
public struct TokenSigner {
    private let key: SymmetricKey
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    public func sign(_ token: PersonToken) -> String { sign(payload: token.payload()) }

    /// Signs any payload bytes (tests use it to forge malformed tokens with a valid signature).
    public func sign(payload: [UInt8]) -> String { sign(headerSegment: Self.header, payload: payload) }

    public func sign(headerSegment: String, payload: [UInt8]) -> String {
        let signingInput = headerSegment + "." + Base64URL.encode(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(mac))
    }
}

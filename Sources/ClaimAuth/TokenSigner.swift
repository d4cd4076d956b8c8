import ClaimCore
import Crypto

/// Mints HS256 JWTs the way the identity provider does: for tests, the demo and `claimload`.
/// Not `Sendable` (swift-crypto's key is not): one per thread.
public struct TokenSigner {
    private let key: SymmetricKey
    private let header: String

    /// The header segment the provider writes for a key: `kid` last, as ours does, so
    /// `TokenVerifier` recognises it by bytes.
    static func headerSegment(keyID: String?) -> String {
        guard let keyID else { return Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) }
        var w = JSONWriter(capacity: 64)
        w.beginObject()
        w.field("alg", "HS256")
        w.field("typ", "JWT")
        w.field("kid", keyID)
        w.endObject()
        return Base64URL.encode(w.bytes)
    }

    public init(secret: [UInt8]) { self.init(key: TokenKeyring.Key(id: nil, secret: secret)) }

    /// Signs with `key`, naming it in the header's `kid` when it has an id.
    public init(key: TokenKeyring.Key) {
        self.key = SymmetricKey(data: key.secret)
        header = Self.headerSegment(keyID: key.id)
    }

    /// Signs with the keyring's signing key.
    public init(keyring: TokenKeyring) { self.init(key: keyring.signing) }

    public func sign(_ token: PersonToken) -> String { sign(payload: token.payload()) }

    /// Signs any payload bytes (tests use it to forge malformed tokens with a valid signature).
    public func sign(payload: [UInt8]) -> String { sign(headerSegment: header, payload: payload) }

    public func sign(headerSegment: String, payload: [UInt8]) -> String {
        let signingInput = headerSegment + "." + Base64URL.encode(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(mac))
    }
}

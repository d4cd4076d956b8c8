import ClaimCore
import Crypto

/// Mints JWTs the way the identity provider does: with its private key (ES256, EdDSA), or for
/// demos and tests with an HS256 secret. Used by `claimctl token`, `claimload` and the tests.
/// Not `Sendable` (swift-crypto's symmetric key is not): one per thread.
public struct TokenSigner {
    private enum Key {
        case hmac(SymmetricKey)
        case privateKey(TokenSigningKey.Prepared)
    }
    private let key: Key
    private let header: String

    /// The header segment the provider writes for a key: `kid` last, as ours does, so
    /// `TokenVerifier` recognises it by bytes.
    static func headerSegment(algorithm: TokenAlgorithm, keyID: String?) -> String {
        var w = JSONWriter(capacity: 64)
        w.beginObject()
        w.field("alg", algorithm.rawValue)
        w.field("typ", "JWT")
        if let keyID { w.field("kid", keyID) }
        w.endObject()
        return Base64URL.encode(w.bytes)
    }

    public init(secret: [UInt8]) { self.init(key: TokenKeyring.Key(id: nil, secret: secret)) }

    /// Signs with HS256 `key`, naming it in the header's `kid` when it has an id.
    public init(key: TokenKeyring.Key) {
        self.key = .hmac(SymmetricKey(data: key.secret))
        header = Self.headerSegment(algorithm: .hs256, keyID: key.id)
    }

    /// Signs with the HS256 keyring's signing key.
    public init(keyring: TokenKeyring) { self.init(key: keyring.signing) }

    /// Signs with a private key, naming it in the header's `kid`.
    public init(privateKey: TokenSigningKey) {
        key = .privateKey(privateKey.prepared())
        header = Self.headerSegment(algorithm: privateKey.algorithm, keyID: privateKey.id)
    }

    public func sign(_ token: PersonToken) -> String { sign(payload: token.payload()) }

    /// Signs any payload bytes (tests use it to forge malformed tokens with a valid signature).
    public func sign(payload: [UInt8]) -> String { sign(headerSegment: header, payload: payload) }

    public func sign(headerSegment: String, payload: [UInt8]) -> String {
        let signingInput = headerSegment + "." + Base64URL.encode(payload)
        let signature: [UInt8]
        switch key {
        case .hmac(let k): signature = Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: k))
        case .privateKey(let k): signature = k.signature(Array(signingInput.utf8))
        }
        return signingInput + "." + Base64URL.encode(signature)
    }
}

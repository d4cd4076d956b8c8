/// One key tokens are checked with: its `kid`, the one algorithm it accepts, and its bytes
/// (a P-256 point x||y, an Ed25519 public key, or an HS256 secret). Plain bytes, so a key set
/// is `Sendable` and each event loop builds its own swift-crypto keys from it (`TokenVerifier`).
public struct VerificationKey: Hashable, Sendable {
    /// The `kid` tokens name it by; nil only for a development HS256 key of tokens without one.
    public let id: String?
    public let algorithm: TokenAlgorithm
    public let material: [UInt8]

    public init(id: String?, algorithm: TokenAlgorithm, material: [UInt8]) {
        self.id = id
        self.algorithm = algorithm
        self.material = material
    }
}

/// Every key tokens may be signed with now: the identity provider's public keys from a JWKS
/// (`JWKSDecoder`), or, for demos and tests, an HS256 keyring (`TokenKeyring.verificationKeys`).
public struct TokenKeySet: Hashable, Sendable {
    public let keys: [VerificationKey]

    public init(keys: [VerificationKey]) { self.keys = keys }

    /// The key ids, for logs ("reloaded keys a, b").
    public var ids: [String] { keys.map { $0.id ?? "(no kid)" } }

    /// True when any key is a shared secret (a development setup).
    public var hasSharedSecret: Bool { keys.contains { $0.algorithm == .hs256 } }
}

/// What a tool signs tokens with, as a `Sendable` value each thread makes its own
/// `TokenSigner` from: the identity provider's private key, or (demos and tests only) an HS256
/// keyring.
public enum TokenSigning: Hashable, Sendable {
    case privateKey(TokenSigningKey)
    case sharedSecret(TokenKeyring)

    public func signer() -> TokenSigner {
        switch self {
        case .privateKey(let k): TokenSigner(privateKey: k)
        case .sharedSecret(let k): TokenSigner(keyring: k)
        }
    }

    /// The keys that verify what this signs (a gateway under test takes them).
    public var verificationKeys: TokenKeySet {
        switch self {
        case .privateKey(let k): TokenKeySet(keys: [k.publicKey])
        case .sharedSecret(let k): k.verificationKeys
        }
    }
}

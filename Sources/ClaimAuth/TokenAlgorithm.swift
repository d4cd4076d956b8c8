/// The signature algorithms a token may carry, each pinned to the keys of its kind: a key is
/// made for one algorithm and checks tokens of that algorithm only, so a header cannot pick
/// how its own signature is checked (no `none`, no HS256 over a public key's bytes).
public enum TokenAlgorithm: String, Hashable, Sendable, CaseIterable {
    /// ECDSA over P-256 with SHA-256 (RFC 7518 3.4): a 64-byte r||s signature.
    case es256 = "ES256"
    /// Ed25519 (RFC 8037): a 64-byte signature.
    case edDSA = "EdDSA"
    /// HMAC-SHA-256 with a secret every verifier also holds, so every verifier could mint
    /// tokens: only for demos and tests (`claimgate serve --dev-hs256`).
    case hs256 = "HS256"

    /// The signature's length in bytes, and so the base64url text's (unpadded).
    var signatureBytes: Int { self == .hs256 ? 32 : 64 }
    var signatureCharacters: Int { self == .hs256 ? 43 : 86 }
}

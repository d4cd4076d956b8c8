/// The signature algorithms a token may carry, each pinned to the keys of its kind: a key is
/// made for one algorithm and checks tokens of that algorithm only, so a header cannot pick
/// how its own signature is checked (no `none`, no HS256 over a public key's bytes).
public enum TokenAlgorithm: String, Hashable, Sendable, CaseIterable {
    /// ECDSA over P-256 with SHA-256 (RFC 7518 3.4): a 64-byte r||s signature.
    case es256 = "ES256"
    /// Ed25519 (RFC 8037): a 64-byte signature.
    case edDSA = "EdDSA"
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 3.3), 2048 to 4096-bit keys: what most identity
    /// providers publish, and the cheapest of the three to verify (RESULTS.md).
    case rs256 = "RS256"
    /// HMAC-SHA-256 with a secret every verifier also holds, so every verifier could mint
    /// tokens: only for demos and tests (`claimgate serve --dev-hs256`).
    case hs256 = "HS256"

    /// Unpadded base64url characters for `bytes` bytes.
    static func base64Characters(_ bytes: Int) -> Int { (bytes * 4 + 2) / 3 }
}

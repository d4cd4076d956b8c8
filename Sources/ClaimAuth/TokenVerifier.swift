import ClaimCore
import Crypto

/// Verifies HS256 JWTs from the identity provider and reads the person from them.
///
/// The algorithm is pinned: the header must say HS256, so `none` and algorithm confusion are
/// refused before any signature work.
/// Not `Sendable`: swift-crypto's `SymmetricKey` is not, so each event loop builds its own
/// verifier from the secret bytes (which are).
public struct TokenVerifier {
    public static let maxTokenBytes = 2048
    private let key: SymmetricKey

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    /// Checks the signature and algorithm of `token` and returns its payload, unread.
    public func payload<C: Collection>(_ token: C) -> Result<FlatJSONObject, TokenError> where C.Element == UInt8 {
        guard !token.isEmpty else { return .failure(.missing) }
        guard token.count <= Self.maxTokenBytes else { return .failure(.tooLong) }
        let bytes = Array(token)
        guard let dot1 = bytes.firstIndex(of: UInt8(ascii: ".")),
            let dot2 = bytes[(dot1 + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(dot2 + 1)...].contains(UInt8(ascii: "."))
        else { return .failure(.malformed) }
        guard let headerJSON = Base64URL.decode(bytes[..<dot1]),
            let header = try? FlatJSONObject(parsing: headerJSON)
        else { return .failure(.malformed) }
        guard header.string("alg") == "HS256" else { return .failure(.unsupportedAlgorithm) }
        guard let signature = Base64URL.decode(bytes[(dot2 + 1)...]), signature.count == 32 else {
            return .failure(.badSignature)
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: bytes[..<dot2], using: key) else {
            return .failure(.badSignature)
        }
        guard let payloadJSON = Base64URL.decode(bytes[(dot1 + 1)..<dot2]),
            let payload = try? FlatJSONObject(parsing: payloadJSON)
        else { return .failure(.malformed) }
        return .success(payload)
    }

    /// Checks a resident's `token` (the bytes after `Bearer `) at `now`.
    public func verify<C: Collection>(_ token: C, now: Instant) -> Result<PersonToken, TokenError>
    where C.Element == UInt8 {
        payload(token).flatMap(PersonToken.from(payload:)).flatMap { t in
            now < t.expiresAt ? .success(t) : .failure(.expired)
        }
    }

    /// Checks a merchant's token at `now`.
    public func verifyMerchant<C: Collection>(_ token: C, now: Instant) -> Result<MerchantToken, TokenError>
    where C.Element == UInt8 {
        payload(token).flatMap(MerchantToken.from(payload:)).flatMap { t in
            now < t.expiresAt ? .success(t) : .failure(.expired)
        }
    }
}

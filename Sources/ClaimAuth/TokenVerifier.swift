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
    /// HMAC state with the key already absorbed: copying it per token skips deriving the key
    /// pads again for every request.
    private let keyed: HMAC<SHA256>
    /// The header every identity-provider token carries, as base64url: recognised by a byte
    /// comparison, so the common case decodes and parses no header JSON.
    private static let standardHeader = Array("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9".utf8)

    public init(secret: [UInt8]) { keyed = HMAC<SHA256>(key: SymmetricKey(data: secret)) }

    /// Checks the signature and algorithm of `token` and returns its payload, unread.
    public func payload<C: Collection>(_ token: C) -> Result<FlatJSONObject, TokenError> where C.Element == UInt8 {
        if let array = token as? [UInt8] { return payload(array) }
        return payload(Array(token))
    }

    public func payload(_ token: [UInt8]) -> Result<FlatJSONObject, TokenError> {
        guard !token.isEmpty else { return .failure(.missing) }
        guard token.count <= Self.maxTokenBytes else { return .failure(.tooLong) }
        return token.withUnsafeBytes { payload(bytes: $0) }
    }

    private func payload(bytes: UnsafeRawBufferPointer) -> Result<FlatJSONObject, TokenError> {
        var dot1 = -1, dot2 = -1
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: ".") {
            if dot1 < 0 { dot1 = i } else if dot2 < 0 { dot2 = i } else { return .failure(.malformed) }
        }
        guard dot1 > 0, dot2 > dot1 else { return .failure(.malformed) }
        let header = UnsafeRawBufferPointer(rebasing: bytes[..<dot1])
        if !header.elementsEqual(Self.standardHeader) {
            guard let headerJSON = Base64URL.decode(header), let parsed = try? FlatJSONObject(parsing: headerJSON)
            else { return .failure(.malformed) }
            guard parsed.string("alg") == "HS256" else { return .failure(.unsupportedAlgorithm) }
        }
        guard let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: bytes[(dot2 + 1)...])),
            signature.count == 32
        else { return .failure(.badSignature) }
        var mac = keyed
        mac.update(data: UnsafeRawBufferPointer(rebasing: bytes[..<dot2]))
        // Constant-time comparison (swift-crypto's == on an authentication code).
        guard mac.finalize() == signature else { return .failure(.badSignature) }
        guard let payloadJSON = Base64URL.decode(UnsafeRawBufferPointer(rebasing: bytes[(dot1 + 1)..<dot2])),
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

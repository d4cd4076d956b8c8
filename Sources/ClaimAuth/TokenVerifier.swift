import ClaimCore
import Crypto
import Glibc
import _CryptoExtras

/// Verifies JWTs from the identity provider and reads the person (or merchant) from them.
///
/// Each key pins its algorithm (`VerificationKey`): the header's `kid` picks the key, and the
/// header's `alg` must be that key's, so `none`, an unknown algorithm and the classic
/// confusion (HS256 "signed" with a public key's bytes) are refused before any signature work.
/// An unknown `kid` is refused without trying the others. ES256, EdDSA and RS256 signatures are
/// checked with swift-crypto, as is HS256 (development only).
/// Each event loop builds its own verifier from the `Sendable` key set.
public struct TokenVerifier {
    public static let maxTokenBytes = 2048
    /// The most clock skew a deployment may allow between the identity provider and us.
    public static let maxClockSkewMilliseconds: Int64 = 300_000

    /// How one key checks a signature.
    private enum Check {
        case hmac(HMACSHA256)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    /// One verification key, and the header segment the provider writes for it, so the common
    /// case is one byte comparison and no header JSON.
    private struct Entry {
        let id: String?
        let algorithm: TokenAlgorithm
        let header: [UInt8]
        let check: Check
        /// The signature's length: fixed by the algorithm, or the modulus's for RSA.
        let signatureBytes: Int
    }
    private let entries: [Entry]
    /// True when some key takes tokens without a `kid` (a development HS256 keyring only).
    private let acceptsUnkeyed: Bool
    /// Tolerance for `exp` and `nbf` when the provider's clock and ours disagree.
    public let clockSkewMilliseconds: Int64

    public init(secret: [UInt8], clockSkewMilliseconds: Int64 = 0) {
        self.init(keys: TokenKeyring(secret: secret).verificationKeys, clockSkewMilliseconds: clockSkewMilliseconds)
    }

    public init(keyring: TokenKeyring, clockSkewMilliseconds: Int64 = 0) {
        self.init(keys: keyring.verificationKeys, clockSkewMilliseconds: clockSkewMilliseconds)
    }

    /// Checks tokens against `keys`. A key whose bytes swift-crypto refuses is left out (the
    /// decoder refused such keys already: `JWKSDecoder`).
    public init(keys: TokenKeySet, clockSkewMilliseconds: Int64 = 0) {
        entries = keys.keys.compactMap { k -> Entry? in
            let check: Check
            var signatureBytes = 64
            switch k.algorithm {
            case .hs256:
                check = .hmac(HMACSHA256(key: k.material))
                signatureBytes = 32
            case .es256:
                guard let p = try? P256.Signing.PublicKey(rawRepresentation: k.material) else { return nil }
                check = .p256(p)
            case .edDSA:
                guard let p = try? Curve25519.Signing.PublicKey(rawRepresentation: k.material) else { return nil }
                check = .ed25519(p)
            case .rs256:
                guard let p = try? _RSA.Signing.PublicKey(derRepresentation: k.material),
                    (2048...JWKSDecoder.maxRSABits).contains(p.keySizeInBits)
                else { return nil }
                check = .rsa(p)
                signatureBytes = p.keySizeInBits / 8
            }
            return Entry(
                id: k.id, algorithm: k.algorithm,
                header: Array(TokenSigner.headerSegment(algorithm: k.algorithm, keyID: k.id).utf8), check: check,
                signatureBytes: signatureBytes)
        }
        acceptsUnkeyed = entries.contains { $0.id == nil }
        self.clockSkewMilliseconds = min(max(0, clockSkewMilliseconds), Self.maxClockSkewMilliseconds)
    }

    /// Checks the signature and algorithm of `token` and returns its payload, unread.
    public func payload<C: Collection>(_ token: C) -> Result<FlatJSONObject, TokenError> where C.Element == UInt8 {
        Array(token).withUnsafeBytes { payload($0) }
    }

    /// The same over bytes read in place (the gateway's request buffer): nothing is copied.
    public func payload(_ token: UnsafeRawBufferPointer) -> Result<FlatJSONObject, TokenError> {
        withSignedPayload(token) { bytes in
            guard let json = try? FlatJSONObject(parsing: bytes) else { return .failure(.malformed) }
            return .success(json)
        }
    }

    /// Checks `token`'s algorithm and signature, then lends its decoded payload to `read`. The
    /// payload is decoded into stack space that lives only for that call; an HS256 signature is
    /// compared in constant time.
    private func withSignedPayload<T>(
        _ token: UnsafeRawBufferPointer, _ read: (UnsafeRawBufferPointer) -> Result<T, TokenError>
    ) -> Result<T, TokenError> {
        guard let base = token.baseAddress, !token.isEmpty else { return .failure(.missing) }
        guard token.count <= Self.maxTokenBytes else { return .failure(.tooLong) }
        func dot(after i: Int) -> Int? {
            guard i < token.count, let p = memchr(base + i, Int32(UInt8(ascii: ".")), token.count - i) else {
                return nil
            }
            return base.distance(to: UnsafeRawPointer(p))
        }
        // Exactly three segments, the header not empty.
        guard let dot1 = dot(after: 0), dot1 > 0, let dot2 = dot(after: dot1 + 1), dot(after: dot2 + 1) == nil else {
            return .failure(.malformed)
        }
        let entry: Entry
        switch key(forHeader: UnsafeRawBufferPointer(rebasing: token[..<dot1])) {
        case .failure(let e): return .failure(e)
        case .success(let k): entry = k
        }
        // Each algorithm's signature has one length, and so one base64url length.
        let signatureText = UnsafeRawBufferPointer(rebasing: token[(dot2 + 1)...])
        guard signatureText.count == TokenAlgorithm.base64Characters(entry.signatureBytes) else {
            return .failure(.badSignature)
        }
        let signingInput = UnsafeRawBufferPointer(rebasing: token[..<dot2])
        let signed = withUnsafeTemporaryAllocation(byteCount: entry.signatureBytes, alignment: 8) { buffer -> Bool in
            let n = entry.signatureBytes
            guard Base64URL.decode(signatureText, into: buffer) == n else { return false }
            let signature = UnsafeRawBufferPointer(rebasing: buffer[..<n])
            switch entry.check {
            case .hmac(let keyed):
                return keyed.isValid(signature, for: signingInput)
            case .p256(let key):
                guard let s = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
                return key.isValidSignature(s, for: signingInput)
            case .ed25519(let key):
                return key.isValidSignature(signature, for: signingInput)
            case .rsa(let key):
                return key.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput,
                    padding: .insecurePKCS1v1_5)
            }
        }
        guard signed else { return .failure(.badSignature) }
        let payloadText = UnsafeRawBufferPointer(rebasing: token[(dot1 + 1)..<dot2])
        return withUnsafeTemporaryAllocation(byteCount: Base64URL.decodedCount(payloadText.count), alignment: 8) {
            buffer in
            guard let n = Base64URL.decode(payloadText, into: buffer) else { return .failure(.malformed) }
            return read(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// The key the header names: by byte comparison with the provider's own headers first,
    /// else by reading the header JSON (other field order, extra fields). The header's `alg`
    /// must be the named key's own.
    private func key(forHeader header: UnsafeRawBufferPointer) -> Result<Entry, TokenError> {
        for e in entries where e.header.withUnsafeBytes({ ByteMatch.equal($0, header) }) { return .success(e) }
        guard let headerJSON = Base64URL.decode(header), let parsed = try? FlatJSONObject(parsing: headerJSON)
        else { return .failure(.malformed) }
        guard let alg = parsed.string("alg").flatMap(TokenAlgorithm.init(rawValue:)) else {
            return .failure(.unsupportedAlgorithm)
        }
        let kid: String?
        switch parsed["kid"] {
        case nil:
            guard acceptsUnkeyed else { return .failure(.missingKeyID) }
            kid = nil
        case .string(let s)?: kid = s
        default: return .failure(.malformed)
        }
        guard let e = entries.first(where: { $0.id == kid }) else { return .failure(.unknownKey) }
        guard e.algorithm == alg else { return .failure(.wrongAlgorithm) }
        return .success(e)
    }

    /// Applies `exp` and `nbf` at `now`, with the configured skew on both sides.
    private func checkTime(expiresAt: Instant, notBefore: Instant?, now: Instant) -> TokenError? {
        TokenLifetime(expiresAt: expiresAt, notBefore: notBefore).problem(
            at: now, skewMilliseconds: clockSkewMilliseconds)
    }

    /// Why a verified resident token cannot be used at `now` (its `exp` or `nbf`), nil if it can:
    /// what a cached verification checks again (`VerifiedTokenCache`).
    func lifetimeProblem(_ t: PersonToken, now: Instant) -> TokenError? {
        checkTime(expiresAt: t.expiresAt, notBefore: t.notBefore, now: now)
    }

    /// True when every key is a public key: verification is a curve operation worth caching.
    public var checksPublicKeys: Bool {
        !entries.isEmpty && entries.allSatisfy { if case .hmac = $0.check { false } else { true } }
    }

    /// Checks a resident's `token` (the bytes after `Bearer `) at `now`.
    public func verify<C: Collection>(_ token: C, now: Instant) -> Result<PersonToken, TokenError>
    where C.Element == UInt8 {
        Array(token).withUnsafeBytes { verify($0, now: now) }
    }

    /// The same over bytes read in place: the claim path, with nothing allocated for a token of
    /// plain ASCII claims (see `PersonToken.read(payload:)`).
    public func verify(_ token: UnsafeRawBufferPointer, now: Instant) -> Result<PersonToken, TokenError> {
        withSignedPayload(token) { bytes in
            if let read = PersonToken.read(payload: bytes) { return read }
            guard let json = try? FlatJSONObject(parsing: bytes) else { return .failure(.malformed) }
            return PersonToken.from(payload: json)
        }.flatMap { t in
            checkTime(expiresAt: t.expiresAt, notBefore: t.notBefore, now: now).map { .failure($0) } ?? .success(t)
        }
    }

    /// Checks a merchant's token at `now`.
    public func verifyMerchant<C: Collection>(_ token: C, now: Instant) -> Result<MerchantToken, TokenError>
    where C.Element == UInt8 {
        Array(token).withUnsafeBytes { verifyMerchant($0, now: now) }
    }

    /// The same over bytes read in place.
    public func verifyMerchant(_ token: UnsafeRawBufferPointer, now: Instant) -> Result<MerchantToken, TokenError> {
        payload(token).flatMap(MerchantToken.from(payload:)).flatMap { t in
            checkTime(expiresAt: t.expiresAt, notBefore: t.notBefore, now: now).map { .failure($0) } ?? .success(t)
        }
    }
}

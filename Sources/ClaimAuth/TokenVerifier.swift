import ClaimCore
import Glibc

/// Verifies HS256 JWTs from the identity provider and reads the person from them.
///
/// The algorithm is pinned: the header must say HS256, so `none` and algorithm confusion are
/// refused before any signature work. Several keys are accepted at once (`TokenKeyring`):
/// the header's `kid` picks one, and an unknown `kid` is refused without trying the others.
/// Each event loop builds its own verifier from the keyring.
public struct TokenVerifier {
    public static let maxTokenBytes = 2048
    /// The most clock skew a deployment may allow between the identity provider and us.
    public static let maxClockSkewMilliseconds: Int64 = 300_000

    /// One verification key: HMAC state with the key's pads already absorbed, and the header
    /// segment the provider writes for it, so the common case is one byte comparison and no
    /// header JSON.
    private struct Entry {
        let id: String?
        let header: [UInt8]
        let keyed: HMACSHA256
    }
    private let entries: [Entry]
    /// Tolerance for `exp` and `nbf` when the provider's clock and ours disagree.
    public let clockSkewMilliseconds: Int64

    public init(secret: [UInt8], clockSkewMilliseconds: Int64 = 0) {
        self.init(keyring: TokenKeyring(secret: secret), clockSkewMilliseconds: clockSkewMilliseconds)
    }

    public init(keyring: TokenKeyring, clockSkewMilliseconds: Int64 = 0) {
        entries = keyring.keys.map {
            Entry(
                id: $0.id, header: Array(TokenSigner.headerSegment(keyID: $0.id).utf8),
                keyed: HMACSHA256(key: $0.secret))
        }
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
    /// payload is decoded into stack space that lives only for that call, and the signature is
    /// compared in constant time: a claim verifies its token with no allocation.
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
        let keyed: HMACSHA256
        switch key(forHeader: UnsafeRawBufferPointer(rebasing: token[..<dot1])) {
        case .failure(let e): return .failure(e)
        case .success(let k): keyed = k
        }
        // A 32-byte HMAC-SHA-256 is 43 base64url characters, and nothing else is.
        let signatureText = UnsafeRawBufferPointer(rebasing: token[(dot2 + 1)...])
        guard signatureText.count == 43 else { return .failure(.badSignature) }
        let signed = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { signature -> Bool in
            guard Base64URL.decode(signatureText, into: signature) == 32 else { return false }
            return keyed.withCode(for: UnsafeRawBufferPointer(rebasing: token[..<dot2])) {
                Self.constantTimeEqual($0, UnsafeRawBufferPointer(signature))
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

    /// Equal bytes, in a time that depends only on the length (a forger learns nothing from
    /// how soon a guess is refused).
    private static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// The key the header names: by byte comparison with the provider's own headers first,
    /// else by reading the header JSON (other field order, extra fields).
    private func key(forHeader header: UnsafeRawBufferPointer) -> Result<HMACSHA256, TokenError> {
        for e in entries where e.header.withUnsafeBytes({ ByteMatch.equal($0, header) }) { return .success(e.keyed) }
        guard let headerJSON = Base64URL.decode(header), let parsed = try? FlatJSONObject(parsing: headerJSON)
        else { return .failure(.malformed) }
        guard parsed.string("alg") == "HS256" else { return .failure(.unsupportedAlgorithm) }
        let kid: String?
        switch parsed["kid"] {
        case nil: kid = nil
        case .string(let s)?: kid = s
        default: return .failure(.malformed)
        }
        guard let e = entries.first(where: { $0.id == kid }) else { return .failure(.unknownKey) }
        return .success(e.keyed)
    }

    /// Applies `exp` and `nbf` at `now`, with the configured skew on both sides.
    private func checkTime(expiresAt: Instant, notBefore: Instant?, now: Instant) -> TokenError? {
        TokenLifetime(expiresAt: expiresAt, notBefore: notBefore).problem(
            at: now, skewMilliseconds: clockSkewMilliseconds)
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

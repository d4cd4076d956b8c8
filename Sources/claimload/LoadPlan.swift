import ClaimAuth
import ClaimCore

/// Who claims next: new people in order, and with probability `repeatShare` someone who
/// already claimed (to hit the per-person limit). Deterministic for a seed.
struct LoadPlan {
    let pool: String
    let users: Int
    let repeatShare: Double
    let idempotencyKeys: Bool
    private let signer: TokenSigner
    private var tokens: [Int: [UInt8]] = [:]
    private var nextNew = 0
    private var rng: SplitMix64
    private var sequence = 0

    init(pool: String, users: Int, repeatShare: Double, idempotencyKeys: Bool, secret: [UInt8], seed: UInt64) {
        self.pool = pool
        self.users = users
        self.repeatShare = repeatShare
        self.idempotencyKeys = idempotencyKeys
        self.signer = TokenSigner(secret: secret)
        self.rng = SplitMix64(seed: seed)
    }

    static func person(_ i: Int) -> String { "u\(i)" }

    /// The next request: its person index and the bytes to send.
    mutating func next(host: String) -> (person: Int, bytes: [UInt8]) {
        let user: Int
        if nextNew > 0, nextNew >= users || Double(rng.next() % 1_000_000) / 1_000_000 < repeatShare {
            user = Int(rng.next() % UInt64(nextNew))
        } else {
            user = nextNew
            nextNew += 1
        }
        sequence += 1
        var req = Array("POST /v1/pools/\(pool)/claims HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer ".utf8)
        req += token(user)
        if idempotencyKeys { req += Array("\r\nIdempotency-Key: r\(sequence)".utf8) }
        req += Array("\r\nContent-Length: 0\r\n\r\n".utf8)
        return (user, req)
    }

    private mutating func token(_ user: Int) -> [UInt8] {
        if let t = tokens[user] { return t }
        let t = Array(
            signer.sign(
                PersonToken(
                    person: Self.person(user),
                    facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                    // Far ahead of both the real clock and any replayed 2022 clock.
                    expiresAt: Instant(unixMilliseconds: 4_102_444_800_000))
            ).utf8)
        tokens[user] = t
        return t
    }
}

/// A small, fast, seedable generator (SplitMix64), so runs are repeatable.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

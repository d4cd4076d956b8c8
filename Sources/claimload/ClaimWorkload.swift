import ClaimAuth
import ClaimCore
import ClaimHTTP
import Dispatch
import Foundation

/// Claims spread over one or more pools by many people: new people in order and, with
/// probability `repeatShare`, someone who already claimed (to hit the per-person limit).
/// Keeps a `GrantLedger` per pool of every 201 received. Deterministic for a seed.
///
/// With `stickyConnections` (`--sticky-people`), person n always taps over connection
/// n % connections, as a phone keeps its one connection alive between taps: a person's retap
/// reaches the gateway loop that saw them before (each loop keeps its own verified tokens).
final class ClaimWorkload: LoadWorkload {
    /// One pool under load, and the QR code sent with its claims if it is an in-store pool.
    struct Target {
        let pool: String
        let storeQR: String?
    }

    let targets: [Target]
    let users: Int
    let repeatShare: Double
    let idempotencyKeys: Bool
    /// People are `<prefix><n>`: distinct prefixes keep runs against one Redis apart.
    let personPrefix: String
    private let signer: TokenSigner
    private let secret: TokenSigning
    /// Each person's token, by their number (people are numbered from 0 as they first claim).
    /// An array, not a dictionary: a dictionary rehashes every entry when it doubles, a stall of
    /// milliseconds in the middle of a run (the 10:00 spike's p99 jumped at 49,152 and 98,304
    /// people, seconds 5 and 11 of every 10,000/s run: issue "The 10:00 spike without a tail").
    private var tokens: [[UInt8]] = []
    /// Tokens signed by `presign` (before a clock starts) and one at a time as people first tap.
    private(set) var signedBeforeClock = 0
    private(set) var signedWhileTimed = 0
    private var nextNew = 0
    /// Per connection, how many of its people have tapped (sticky runs: person
    /// `connection + k * stickyConnections` is its k-th).
    private let stickyConnections: Int?
    private var newOnConnection: [Int] = []
    private var rng: SplitMix64
    private var sequence = 0
    private var inFlight: [Int: (target: Int, person: Int)] = [:]
    /// Every request and answer, when `--history` asks for it.
    var history: ClaimHistory?
    private(set) var ledgers: [String: GrantLedger] = [:]
    private(set) var unreadableGrants = 0
    /// Claims sent per person, by pool (each once, however often it was sent again): no person
    /// may hold more grants than this.
    /// Per target, claims by person number; as `[pool: [person: n]]` only for the verdict.
    private var claimsMade: [[Int32]]
    var claimsByPerson: [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for (t, counts) in claimsMade.enumerated() {
            var byPerson = out[targets[t].pool] ?? [:]
            for (user, n) in counts.enumerated() where n > 0 { byPerson[person(user), default: 0] += Int(n) }
            out[targets[t].pool] = byPerson
        }
        return out
    }
    /// `sold_out` answers by pool, and how many of them came before the pool's last grant (so
    /// while it still had stock: the tail of a split pool whose segments empty unevenly).
    private(set) var soldOuts: [String: Int] = [:]
    private(set) var soldOutsBeforeLastGrant: [String: Int] = [:]
    /// Claims whose fate the answer left open, by pool and person: `504 outcome_unknown` and
    /// `500 internal_error` (sent to Redis, no readable reply). With the claims never answered
    /// (`unanswered`), the verdict resolves each from Redis.
    private(set) var unknownOutcomes: [String: [String: Int]] = [:]
    /// `503 redis_unavailable` answers: each says nothing was granted, which the verdict checks.
    private(set) var unavailable = 0
    /// Claims answered 504 and sent again: until an attempt reaches Redis, the first one's
    /// fate stays unknown (a later 503 says only that the retry did not get there).
    private var uncertain = Set<Int>()

    init(
        targets: [Target], users: Int, repeatShare: Double, idempotencyKeys: Bool, secret: TokenSigning, seed: UInt64,
        personPrefix: String = "u", stickyConnections: Int? = nil
    ) {
        self.stickyConnections = stickyConnections.map { max(1, $0) }
        newOnConnection = [Int](repeating: 0, count: self.stickyConnections ?? 0)
        self.targets = targets
        self.personPrefix = personPrefix
        self.users = users
        self.repeatShare = repeatShare
        self.idempotencyKeys = idempotencyKeys
        self.signer = secret.signer()
        self.secret = secret
        self.rng = SplitMix64(seed: seed)
        claimsMade = targets.map { _ in [] }
        for t in targets { ledgers[t.pool] = GrantLedger() }
    }

    func person(_ i: Int) -> String { personPrefix + String(i) }

    /// Who taps next: a new person, or with probability `repeatShare` (always, once all `users`
    /// have tapped) one who tapped before; in sticky runs, one of `connection`'s people.
    private func nextPerson(connection: Int) -> Int {
        guard let n = stickyConnections else {
            if nextNew > 0, nextNew >= users || rng.unit() < repeatShare { return Int(rng.next() % UInt64(nextNew)) }
            nextNew += 1
            return nextNew - 1
        }
        let c = connection % n
        let seen = newOnConnection[c]
        if seen > 0, c + seen * n >= users || rng.unit() < repeatShare { return c + Int(rng.next() % UInt64(seen)) * n }
        // A connection with no one left to add (more connections than people) repeats person c.
        guard c + seen * n < users else { return c }
        newOnConnection[c] += 1
        return c + seen * n
    }

    /// Claims go on until the run's time or count runs out.
    var isFinished: Bool { false }

    func nextRequest(host: String, connection: Int) -> (tag: Int, bytes: [UInt8])? {
        let user = nextPerson(connection: connection)
        let target = targets.count == 1 ? 0 : Int(rng.next() % UInt64(targets.count))
        sequence += 1
        inFlight[sequence] = (target, user)
        while claimsMade[target].count <= user { claimsMade[target].append(0) }
        claimsMade[target][user] += 1
        let t = targets[target]
        let body = t.storeQR.map { Array(#"{"store_qr":"\#($0)"}"#.utf8) } ?? []
        var req = Array("POST /v1/pools/\(t.pool)/claims HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer ".utf8)
        req += token(user)
        if idempotencyKeys { req += Array("\r\nIdempotency-Key: r\(sequence)".utf8) }
        req += Array("\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        req += body
        return (sequence, req)
    }

    func record(tag: Int, response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) {
        guard let (target, user) = inFlight.removeValue(forKey: tag) else { return }
        let pool = targets[target].pool
        history?.record(
            person: person(user), pool: pool, key: idempotencyKeys ? "r\(tag)" : nil, sentAt: sentAt,
            answeredAt: answeredAt, status: response.status,
            error: response.status >= 300 ? LoadResults.strings(named: "error", in: response.body).first : nil,
            vouchers: response.status == 201 || response.status == 200 ? Self.voucherIDs(response.body) : [])
        let wasUncertain = uncertain.remove(tag) != nil
        if response.status == 409, LoadResults.strings(named: "error", in: response.body).first == "sold_out" {
            soldOuts[pool, default: 0] += 1
            return
        }
        switch response.status {
        case 201, 200: break  // 200 is a replay: the answer to a claim whose first answer never arrived.
        case 504, 500:
            unknownOutcomes[pool, default: [:]][person(user), default: 0] += 1
            return
        case 503 where wasUncertain:
            unknownOutcomes[pool, default: [:]][person(user), default: 0] += 1
            return
        case 503:
            unavailable += 1
            return
        default: return
        }
        soldOutsBeforeLastGrant[pool] = soldOuts[pool, default: 0]
        let ids = Self.voucherIDs(response.body)
        guard !ids.isEmpty else {
            unreadableGrants += 1
            return
        }
        for id in ids { ledgers[targets[target].pool]?.record(voucher: id, person: person(user)) }
    }

    func group(of tag: Int) -> String? { inFlight[tag].map { targets[$0.target].pool } }

    /// The voucher ids of a grant, each once (a bundle lists them twice: `voucher` and `vouchers`).
    static func voucherIDs(_ body: [UInt8]) -> [String] {
        var seen = Set<String>()
        return LoadResults.strings(named: "id", in: body).filter { seen.insert($0).inserted }
    }

    /// Writes the requests never answered and closes the history.
    func finishHistory() {
        guard let history else { return }
        for (tag, (target, user)) in inFlight.sorted(by: { $0.key < $1.key }) {
            history.record(
                person: person(user), pool: targets[target].pool, key: idempotencyKeys ? "r\(tag)" : nil, sentAt: 0,
                answeredAt: nil, status: 0, error: nil, vouchers: [])
        }
        history.close()
    }

    /// A 504 says the claim may have been granted: with a key, the same request again is
    /// answered as the first was, after the `Retry-After` second. Without one it is not safe.
    func resendDelay(tag: Int, after response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) -> UInt64? {
        guard idempotencyKeys, response.status == 504, let (target, user) = inFlight[tag] else { return nil }
        uncertain.insert(tag)
        history?.record(
            person: person(user), pool: targets[target].pool, key: "r\(tag)", sentAt: sentAt, answeredAt: answeredAt,
            status: 504, error: "outcome_unknown", vouchers: [])
        return 1_000_000_000
    }

    /// What the run recorded, for the verdict (and a distributed run's coordinator).
    var record: ClaimRecord {
        ClaimRecord(
            ledgers: ledgers, claimsByPerson: claimsByPerson, soldOuts: soldOuts,
            soldOutsBeforeLastGrant: soldOutsBeforeLastGrant, unknownOutcomes: unknownOutcomes,
            unanswered: unanswered, unavailable: unavailable, unreadableGrants: unreadableGrants)
    }

    /// Claims sent and never answered (the connection broke, or the run ended first), by pool
    /// and person: unknown outcomes too.
    var unanswered: [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for (target, user) in inFlight.values { out[targets[target].pool, default: [:]][person(user), default: 0] += 1 }
        return out
    }

    private func token(_ user: Int) -> [UInt8] {
        if user < tokens.count { return tokens[user] }
        // People are numbered in order, so this appends (or fills the gap to a number asked for).
        while tokens.count <= user {
            tokens.append(sign(tokens.count))
            signedWhileTimed += 1
        }
        return tokens[user]
    }

    /// Signs the tokens of people 0..<`count` now, on every core: an open-loop run calls it
    /// before its clock starts, so no signature is made inside the timed part (an ES256 token
    /// costs about 13 us to sign, RS256 about 440 us: at 40,000 new people a second the load
    /// generator would measure itself).
    func presign(people count: Int) {
        let start = tokens.count
        guard count > start else { return }
        var fresh = [[UInt8]](repeating: [], count: count - start)
        let chunks = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4
        let (secret, prefix) = (secret, personPrefix)
        fresh.withUnsafeMutableBufferPointer { buffer in
            // Each chunk writes its own slots of the buffer, which outlives the calls.
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let signer = secret.signer()
                var i = chunk
                while i < out.count {
                    out[i] = Self.sign(start + i, prefix: prefix, signer: signer)
                    i += chunks
                }
            }
        }
        tokens += fresh
        signedBeforeClock += fresh.count
    }

    private func sign(_ user: Int) -> [UInt8] { Self.sign(user, prefix: personPrefix, signer: signer) }

    private static func sign(_ user: Int, prefix: String, signer: TokenSigner) -> [UInt8] {
        Array(
            signer.sign(
                PersonToken(
                    person: prefix + String(user),
                    facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                    // Far ahead of both the real clock and any replayed 2022 clock.
                    expiresAt: Instant(unixMilliseconds: 4_102_444_800_000))
            ).utf8)
    }

    /// The bearer token of a person who claimed (their app asks for payment codes with it).
    func residentToken(person: String) -> String? {
        guard person.hasPrefix(personPrefix), let i = Int(person.dropFirst(personPrefix.count)) else { return nil }
        return String(decoding: token(i), as: UTF8.self)
    }
}

import ClaimCore

/// What a claims run recorded for the verdict, as values: grants per pool, claims per person,
/// the answers that say nothing was granted or left the outcome open, the claims never
/// answered. A distributed run's workers each send theirs to the coordinator, which merges
/// them into one record and one verdict (`merge`).
struct ClaimRecord: Codable, Sendable {
    var ledgers: [String: GrantLedger] = [:]
    /// Claims sent per person, by pool (each once, however often it was sent again).
    var claimsByPerson: [String: [String: Int]] = [:]
    /// `sold_out` answers by pool, and how many came before the pool's last grant.
    var soldOuts: [String: Int] = [:]
    var soldOutsBeforeLastGrant: [String: Int] = [:]
    /// 504 and 500 answers, by pool and person: the verdict resolves each from Redis.
    var unknownOutcomes: [String: [String: Int]] = [:]
    /// Claims never answered, by pool and person: unknown outcomes too.
    var unanswered: [String: [String: Int]] = [:]
    /// 503 answers: each says nothing was granted, which the verdict checks.
    var unavailable = 0
    var unreadableGrants = 0

    /// Another worker's record added to this one. Workers claim as different people
    /// (`--person-prefix` per worker), so per-person counts never collide; a voucher id granted
    /// to two workers is a duplicate grant.
    mutating func merge(_ other: ClaimRecord) {
        for (pool, ledger) in other.ledgers { ledgers[pool, default: GrantLedger()].merge(ledger) }
        func add(_ a: inout [String: [String: Int]], _ b: [String: [String: Int]]) {
            for (pool, people) in b { a[pool, default: [:]].merge(people, uniquingKeysWith: +) }
        }
        add(&claimsByPerson, other.claimsByPerson)
        add(&unknownOutcomes, other.unknownOutcomes)
        add(&unanswered, other.unanswered)
        soldOuts.merge(other.soldOuts, uniquingKeysWith: +)
        soldOutsBeforeLastGrant.merge(other.soldOutsBeforeLastGrant, uniquingKeysWith: +)
        unavailable += other.unavailable
        unreadableGrants += other.unreadableGrants
    }
}

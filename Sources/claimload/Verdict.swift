import ClaimCore
import ClaimRedis

/// The run's verdict, from the client's own record and from Redis's, for every pool it hit.
struct Verdict {
    var passed: Bool
    var line: String

    /// One pool the run claimed from, and the window it claimed in.
    struct PoolUnderTest {
        let pool: Pool
        let window: String
    }

    static func check(
        pools: [PoolUnderTest], claims: ClaimRecord, redemptions: RedemptionWorkload?, redis: RedisTarget
    ) throws -> Verdict {
        let store = ProgrammeStore(client: try redis.connect())
        var problems: [String] = []
        var granted = 0, left = 0, released = 0, seen = 0, people = Set<String>()
        var tail = 0
        var unknown = 0, unknownGranted = 0
        let unanswered = claims.unanswered
        for target in pools {
            let pool = target.pool
            let ledger = claims.ledgers[pool.id] ?? GrantLedger()
            seen += ledger.granted
            people.formUnion(ledger.grantsByPerson.keys)
            // A split pool is checked segment by segment, and its figures summed.
            var poolReleased = 0, poolLeft = 0
            var vouchers: [String: [Voucher]] = [:]
            // Each segment's vouchers, read once for both the window checks and redemptions.
            var bySegment: [String: [String: [Voucher]]] = [:]
            var anyReleased = false
            for segment in pool.segments {
                let id = segment.storageID
                let own = try store.vouchers(pool: id)
                bySegment[id] = own
                for (w, vs) in own { vouchers[w, default: []] += vs }
                guard let counts = try store.counts(pool: id, window: target.window) else { continue }
                anyReleased = true
                granted += counts.granted
                left += counts.left
                released += counts.released
                poolReleased += counts.released
                poolLeft += counts.left
                problems += AuditReport.problems(
                    in: try store.snapshot(
                        pool: id, window: target.window, limit: pool.limitPerWindow,
                        vouchers: own[target.window] ?? [],
                        vouchersPerGrant: pool.vouchersPerGrant))
            }
            guard anyReleased else {
                // Never released: only right if nobody was granted anything either.
                if ledger.granted > 0 {
                    problems.append("\(pool.id) \(target.window): grants without a released window")
                }
                continue
            }
            let inWindow = vouchers[target.window] ?? []
            // Told sold_out while the pool still had stock: before its last grant, or at all
            // if stock is left at the end (a segment emptied while others had some).
            tail +=
                poolLeft > 0
                ? claims.soldOuts[pool.id, default: 0] : claims.soldOutsBeforeLastGrant[pool.id, default: 0]
            problems += ledger.problems(
                limit: pool.limitPerWindow * pool.vouchersPerGrant, released: poolReleased * pool.vouchersPerGrant
            )
            .map { "\(pool.id): \($0)" }
            var owners: [String: String] = [:]
            for v in inWindow { owners[v.id] = v.owner }
            problems += ledger.problems(againstStore: owners).map { "\(pool.id): \($0)" }
            // Retries (resent requests) must never grant twice: no one holds more vouchers than
            // the claims they made.
            var held: [String: Int] = [:]
            for v in inWindow { held[v.owner, default: 0] += 1 }
            let made = claims.claimsByPerson[pool.id] ?? [:]
            let over = made.filter { held[$0.key, default: 0] > $0.value * pool.vouchersPerGrant }
            if let (p, n) = over.min(by: { $0.key < $1.key }) {
                problems.append(
                    "\(pool.id): \(over.count) people hold more vouchers than they claimed, e.g. \(p) with "
                        + "\(held[p, default: 0]) from \(n) claims")
            }
            // Every voucher a person of this run holds was acknowledged to them, or is the
            // grant of a claim whose outcome was unknown (504, 500, never answered): that is how
            // each unknown is resolved. Anything more means an answer said "nothing granted"
            // (a 503, a refusal) when something was.
            let open = (claims.unknownOutcomes[pool.id] ?? [:]).merging(unanswered[pool.id] ?? [:], uniquingKeysWith: +)
            unknown += open.values.reduce(0, +)
            var unexplained: [(String, Int)] = []
            for person in made.keys {
                let extra = held[person, default: 0] - ledger.grantsByPerson[person, default: 0]
                guard extra > 0 else { continue }
                let allowed = open[person, default: 0] * pool.vouchersPerGrant
                unknownGranted += min(extra, allowed) / pool.vouchersPerGrant
                if extra > allowed { unexplained.append((person, extra - allowed)) }
            }
            if let (p, n) = unexplained.min(by: { $0.0 < $1.0 }) {
                problems.append(
                    "\(pool.id): \(unexplained.count) people hold vouchers no answer acknowledged and no unknown "
                        + "outcome explains, e.g. \(p) with \(n)")
            }
            if redemptions != nil {
                for (id, own) in bySegment.sorted(by: { $0.key < $1.key }) {
                    problems += AuditReport.problems(
                        in: try store.redemptionSnapshot(
                            pool: id, useLimit: pool.useLimitPerProgramme, vouchers: own.values.flatMap { $0 }))
                }
            }
        }
        if claims.unreadableGrants > 0 { problems.append("\(claims.unreadableGrants) grants had no voucher id") }
        var figures =
            "\(pools.count) pools; vouchers granted to this run \(seen) (people \(people.count)); in Redis granted \(granted) "
            + "+ left \(left) = released \(released)"
        // Not a fault: a split pool's emptied segment, or a sold_out read on one connection
        // before a grant sent earlier on another was read (answers reorder across connections).
        if tail > 0 { figures += "; sold_out before the last grant (split segments, answers reordered): \(tail)" }
        if unknown > 0 {
            figures +=
                "; unknown outcomes \(unknown) resolved from Redis: granted \(unknownGranted), "
                + "not granted \(unknown - unknownGranted)"
        }
        if claims.unavailable > 0 { figures += "; 503 (nothing granted, checked) \(claims.unavailable)" }
        if let r = redemptions {
            problems += r.problems
            figures +=
                "; redeemed \(r.redeemed.count), retries replayed \(r.counts["retry_replayed", default: 0]), "
                + "second orders refused \(r.counts["second_refused", default: 0])"
        }
        if problems.isEmpty { return Verdict(passed: true, line: "PASS \(figures)") }
        let shown =
            problems.prefix(10).joined(separator: "; ") + (problems.count > 10 ? "; ... \(problems.count) in all" : "")
        return Verdict(passed: false, line: "FAIL \(shown) | \(figures)")
    }
}

import ClaimCore
import ClaimRedis

/// The run's verdict, from the client's own record and from Redis's.
struct Verdict {
    var passed: Bool
    var line: String

    static func check(results: LoadResults, pool: String, window: String, limit: Int, redis: RedisEndpoint) throws
        -> Verdict
    {
        let store = ProgrammeStore(client: try RedisClient(redis))
        guard let counts = try store.counts(pool: pool, window: window) else {
            return Verdict(passed: false, line: "FAIL window \(pool) \(window) was never released in Redis")
        }
        let vouchers = try store.vouchers(pool: pool)[window] ?? []
        var problems = results.ledger.problems(limit: limit, released: counts.released)
        var owners: [String: String] = [:]
        for v in vouchers { owners[v.id] = v.owner }
        problems += results.ledger.problems(againstStore: owners)
        problems += AuditReport.problems(
            in: try store.snapshot(pool: pool, window: window, limit: limit, vouchers: vouchers))
        if results.outcomes["granted_unreadable", default: 0] > 0 {
            problems.append("\(results.outcomes["granted_unreadable"]!) grants had no voucher id")
        }
        let figures =
            "granted to this run \(results.ledger.granted), in Redis granted \(counts.granted) + left \(counts.left) "
            + "= released \(counts.released); people \(results.ledger.grantsByPerson.count), limit \(limit)"
        if problems.isEmpty { return Verdict(passed: true, line: "PASS \(figures)") }
        return Verdict(passed: false, line: "FAIL \(problems.joined(separator: "; ")) | \(figures)")
    }
}

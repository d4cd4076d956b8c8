import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// The claim script against a real Redis: every answer, replay, NOSCRIPT, and a race.
@Suite struct ClaimScriptTests {
    let redis: TestRedis
    let client: RedisClient
    let programme: Programme
    let pool: Pool
    let now = TestProgramme.releaseInstant.adding(milliseconds: 1000)

    init() throws {
        redis = try TestRedis.get()
        client = try redis.client()
        pool = TestProgramme.dailyPool(stock: 3)
        programme = TestProgramme.programme([pool])
    }

    func request(_ person: String, key: String? = nil) throws -> ClaimRequest {
        guard
            case .run(let r) = ClaimPlanner(programme: programme).plan(
                pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: key, now: now)
        else { throw TestHTTPError("not planned") }
        return r
    }

    func claim(_ person: String, key: String? = nil, on c: RedisClient? = nil) throws -> ClaimOutcome {
        try ClaimScript.run(request(person, key: key), on: c ?? client)
    }

    func open() throws {
        _ = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: pool.stockPerRelease, now: now)
    }

    @Test func aWindowNeverOpenedAnswersNotOpenNotAnError() throws {
        #expect(try claim("u1") == .notOpen(opensAt: TestProgramme.releaseInstant))
    }

    @Test func grantsThenLimitsThenSellsOut() throws {
        try open()
        guard case .granted(let vs, let left, let replayed) = try claim("u1"), let v = vs.first else {
            Issue.record("not granted")
            return
        }
        #expect(vs.count == 1)
        #expect(v.id == "\(pool.id):2022-06-10:1")
        #expect(v.owner == "u1")
        #expect(v.faceFen == pool.faceFen)
        #expect(v.expiresAt == programme.calendar.parseISO8601("2022-06-11T00:00"))
        #expect(left == 2)
        #expect(!replayed)
        #expect(try claim("u1") == .limitReached)
        _ = try claim("u2")
        _ = try claim("u3")
        #expect(try claim("u4") == .soldOut)
        // Sold out is answered before the limit: the cheapest answer at peak.
        #expect(try claim("u1") == .soldOut)
    }

    /// Issue "Release day in the operators' hands": a pause, checked inside the script, alone
    /// and in a batch; a retry still gets its earlier grant; nothing is written; resume undoes it.
    @Test func aPausedPoolAnswersPausedWithTheReasonUntilResumed() throws {
        try open()
        guard case .granted(let first, _, false) = try claim("u1", key: "k1") else {
            Issue.record("not granted")
            return
        }
        #expect(try PoolPause.pause(client, pool: pool, reason: "stock recount"))
        #expect(try !PoolPause.pause(client, pool: pool, reason: "stock recount"))
        #expect(try claim("u2") == .paused(reason: "stock recount"))
        guard case .granted(let again, _, true) = try claim("u1", key: "k1") else {
            Issue.record("the retry was not answered with its grant")
            return
        }
        #expect(again == first)
        let batch = try ClaimScript.run(
            [request("u3"), request("u1", key: "k1"), request("u4", key: "k4")], on: client)
        #expect((try? batch[0].get()) == .paused(reason: "stock recount"))
        if case .success(.granted(let vs, _, true)) = batch[1] {
            #expect(vs == first)
        } else {
            Issue.record("\(batch[1])")
        }
        #expect((try? batch[2].get()) == .paused(reason: "stock recount"))
        #expect(try ProgrammeStore(client: client).counts(pool: pool.id, window: "2022-06-10")?.granted == 1)
        #expect(try PoolPause.reason(client, pool: pool) == "stock recount")
        #expect(try PoolPause.resume(client, pool: pool))
        #expect(try !PoolPause.resume(client, pool: pool))
        guard case .granted = try claim("u2") else {
            Issue.record("not granted after resume")
            return
        }
    }

    @Test func aRetryWithTheSameKeyGetsTheFirstVoucherBack() throws {
        try open()
        guard case .granted(let first, _, false) = try claim("u1", key: "k1") else {
            Issue.record("not granted")
            return
        }
        guard case .granted(let again, _, true) = try claim("u1", key: "k1") else {
            Issue.record("not replayed")
            return
        }
        #expect(again == first)
        // The key is the person's own: someone else's identical key is a new claim.
        guard case .granted(let other, _, false) = try claim("u2", key: "k1") else {
            Issue.record("not granted")
            return
        }
        #expect(other.map(\.id) != first.map(\.id))
        let counts = try ProgrammeStore(client: client).counts(pool: pool.id, window: "2022-06-10")
        #expect(counts?.granted == 2)
    }

    @Test func afterARedisScriptFlushItFallsBackToEval() throws {
        // A Redis of its own: a SCRIPT FLUSH on the shared one would pull the scripts from
        // under every suite running beside this one.
        let own = try TestRedis.isolated().client()
        _ = try WindowScripts.open(own, pool: pool.id, window: "2022-06-10", quota: pool.stockPerRelease, now: now)
        _ = try own.command(["SCRIPT", "FLUSH"])
        guard case .granted = try ClaimScript.run(try request("u1"), on: own) else {
            Issue.record("not granted after SCRIPT FLUSH")
            return
        }
        #expect(try own.command(["SCRIPT", "EXISTS", LuaScript.claim.sha1]).array == [.integer(1)])
    }

    @Test func sixtyFourConnectionsRacingForAThousandGrantExactlyAThousand() throws {
        let big = TestProgramme.dailyPool(stock: 1000)
        let prog = TestProgramme.programme([big])
        _ = try WindowScripts.open(client, pool: big.id, window: "2022-06-10", quota: 1000, now: now)
        let endpoint = redis.endpoint
        let at = now
        let results = RaceTally()
        let group = DispatchGroup()
        // 10,000 claims from 8,000 people (2,000 of them try twice) on 64 connections.
        for worker in 0..<64 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let c = try? RedisClient(endpoint) else { return results.error() }
                let planner = ClaimPlanner(programme: prog)
                var i = worker
                while i < 10_000 {
                    let person = "p\(i % 8000)"
                    guard
                        case .run(let r) = planner.plan(
                            pool: big, person: person, facts: TestProgramme.resident, idempotencyKey: nil, now: at),
                        let outcome = try? ClaimScript.run(r, on: c)
                    else { results.error(); i += 64; continue }
                    results.add(outcome)
                    i += 64
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        let t = results.snapshot()
        #expect(t.errors == 0)
        #expect(t.granted.count == 1000)
        #expect(Set(t.granted.map(\.id)).count == 1000)
        #expect(Dictionary(grouping: t.granted, by: \.owner).values.allSatisfy { $0.count == 1 })
        #expect(t.granted.count + t.soldOut + t.limit == 10_000)
        let store = ProgrammeStore(client: client)
        let vouchers = try store.vouchers(pool: big.id)["2022-06-10"] ?? []
        let snapshot = try store.snapshot(pool: big.id, window: "2022-06-10", limit: 1, vouchers: vouchers)
        #expect(AuditReport.problems(in: snapshot).isEmpty)
        #expect(snapshot.left == 0)
    }
    @Test func crossingTenOClockWith64ClaimersReleasesTheWindowExactlyOnce() throws {
        let auto = TestProgramme.dailyPool(stock: 100, autoOpen: true)
        let prog = TestProgramme.programme([auto])
        let endpoint = redis.endpoint
        let results = RaceTally()
        let group = DispatchGroup()
        // Every claimer's clock stands at 10:00:00.000 on the dot: the window has never been
        // released, and all 64 race to be the first claim.
        let tenOClock = TestProgramme.releaseInstant
        for worker in 0..<64 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let c = try? RedisClient(endpoint) else { return results.error() }
                for i in 0..<5 {
                    guard
                        case .run(let r) = ClaimPlanner(programme: prog).plan(
                            pool: auto, person: "w\(worker)-\(i)", facts: TestProgramme.resident, idempotencyKey: nil,
                            now: tenOClock),
                        let outcome = try? ClaimScript.run(r, on: c)
                    else { return results.error() }
                    results.add(outcome)
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        let t = results.snapshot()
        #expect(t.errors == 0)
        #expect(t.granted.count == 100)
        #expect(t.soldOut == 320 - 100)
        let store = ProgrammeStore(client: client)
        let counts = try store.counts(pool: auto.id, window: "2022-06-10")
        #expect(counts?.released == 100)
        #expect(counts?.left == 0)
        #expect(try store.windows(pool: auto.id) == ["2022-06-10"])
        // An operator's open afterwards changes nothing.
        let again = try WindowScripts.open(client, pool: auto.id, window: "2022-06-10", quota: 100, now: tenOClock)
        #expect(!again.changed)
        #expect(again.released == 100)
    }

    func grantPool() -> (Pool, Programme) {
        let base = TestProgramme.dailyPool(stock: 2, autoOpen: true)
        let grant = Pool(
            id: base.id, kind: .housingGrant, name: "grant", faceFen: 200000, thresholdFen: 0, limitPerWindow: 1,
            schedule: base.schedule, stockPerRelease: 2, validity: .endOfClaimDay,
            eligibility: EligibilityRule(requiresBuyerList: true),
            merchantCategories: ["appliance-telecom-electronics"],
            bundleFen: [100000, 50000, 50000])
        return (grant, TestProgramme.programme([grant]))
    }

    func claimGrant(_ person: String, _ pool: Pool, _ prog: Programme, key: String? = nil) throws -> ClaimOutcome {
        guard
            case .run(let r) = ClaimPlanner(programme: prog).plan(
                pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: key, now: now)
        else { throw TestHTTPError("not planned") }
        return try ClaimScript.run(r, on: client)
    }

    @Test func onlyListedBuyersGetTheWholeBundleOnce() throws {
        let (grant, prog) = grantPool()
        _ = try ProgrammeStore(client: client).addBuyers(pool: grant.id, people: ["buyer-1", "buyer-2"])
        #expect(try claimGrant("stranger", grant, prog) == .notEligible(.notOnBuyerList))
        guard case .granted(let bundle, let left, false) = try claimGrant("buyer-1", grant, prog, key: "b1") else {
            Issue.record("no bundle")
            return
        }
        #expect(bundle.map(\.faceFen) == [100000, 50000, 50000])
        #expect(
            bundle.map(\.id) == [
                "\(grant.id):2022-06-10:1.1", "\(grant.id):2022-06-10:1.2", "\(grant.id):2022-06-10:1.3",
            ])
        #expect(bundle.allSatisfy { $0.owner == "buyer-1" })
        #expect(left == 1)
        guard case .granted(let replay, _, true) = try claimGrant("buyer-1", grant, prog, key: "b1") else {
            Issue.record("no replay")
            return
        }
        #expect(replay == bundle)
        #expect(try claimGrant("buyer-1", grant, prog) == .limitReached)
        let store = ProgrammeStore(client: client)
        let vouchers = try store.vouchers(pool: grant.id)["2022-06-10"] ?? []
        let snapshot = try store.snapshot(
            pool: grant.id, window: "2022-06-10", limit: 1, vouchers: vouchers, vouchersPerGrant: 3)
        #expect(AuditReport.problems(in: snapshot).isEmpty)
    }

    /// Every key the script writes, broken in turn (a string where a hash or set belongs): the
    /// claim fails with nothing at all written, however far the script got. The script checks
    /// types by reading each key before its first write, so this is what proves it, for one
    /// claim and for a batch (whose path through the script is its own).
    @Test(arguments: ["window", "people", "replays", "vouchers", "wallet", "windows"], [1, 2])
    func aWrongTypedKeyFailsTheClaimWithNothingWritten(_ broken: String, claims: Int) throws {
        let (grant, prog) = grantPool()
        let buyers = ["buyer-1", "buyer-2"].prefix(claims)
        _ = try ProgrammeStore(client: client).addBuyers(pool: grant.id, people: Array(buyers))
        let k = PoolKeys(pool: grant.id)
        let w = "2022-06-10"
        let written = [
            "window": k.window(w), "people": k.people(w), "replays": k.replays(w), "vouchers": k.vouchers,
            "wallet": k.wallet, "windows": k.windows,
        ]
        let target = try #require(written[broken])
        _ = try client.command(["SET", target, "not a hash"]).orThrow()
        // Idempotency-Keys (the replays hash is read) on an auto-open pool's first claims (the
        // window is released in the same script): every write the script can make is reached.
        let batch = try buyers.map { person in
            guard
                case .run(let r) = ClaimPlanner(programme: prog).plan(
                    pool: grant, person: person, facts: TestProgramme.resident, idempotencyKey: "k-\(person)",
                    now: now)
            else { throw TestHTTPError("not planned") }
            return r
        }
        #expect(throws: RedisError.self) { try ClaimScript.run(batch, on: client) }
        #expect(try client.command(["GET", target]) == .bulk(Array("not a hash".utf8)))
        #expect(try client.command(["EXISTS"] + written.values.filter { $0 != target }) == .integer(0))
        // Repaired, the same claims succeed from a clean slate.
        _ = try client.command(["DEL", target])
        let outcomes = try ClaimScript.run(batch, on: client).map { try $0.get() }
        #expect(outcomes.count == claims)
        for (i, outcome) in outcomes.enumerated() {
            guard case .granted(let bundle, let left, false) = outcome else {
                Issue.record("not granted after repair: \(outcome)")
                continue
            }
            #expect(bundle.count == 3)
            #expect(left == 1 - i)
        }
    }
}

/// Outcomes collected from the racing threads.
final class RaceTally: @unchecked Sendable {
    // @unchecked: every access holds `lock`; test code only.
    private let lock = NSLock()
    private var granted: [Voucher] = []
    private var soldOut = 0
    private var limit = 0
    private var errors = 0

    func add(_ o: ClaimOutcome) {
        lock.withLock {
            switch o {
            case .granted(let vs, _, _): granted += vs
            case .soldOut: soldOut += 1
            case .limitReached: limit += 1
            default: errors += 1
            }
        }
    }

    func error() { lock.withLock { errors += 1 } }

    func snapshot() -> (granted: [Voucher], soldOut: Int, limit: Int, errors: Int) {
        lock.withLock { (granted, soldOut, limit, errors) }
    }
}

/// A batch against the same claims run one call each: the script must answer every claim of a
/// batch exactly as it would have alone, right after the claims before it, and leave the same
/// keys behind. Both sides run on one Redis, the one-at-a-time side in database 0 and the batch
/// side in database 1, on the same pool ids.
@Suite struct ClaimScriptBatchTests {
    let redis: TestRedis
    let singles: RedisClient
    let batches: RedisClient
    let opensAt = TestProgramme.releaseInstant

    init() throws {
        redis = try TestRedis.get()
        singles = try redis.client()
        batches = try redis.client()
        _ = try batches.command(["SELECT", "1"]).orThrow()
    }

    /// The pools the claims go to: each check of the script (stock, limit, auto-open, buyer
    /// list, bundles, a window never released) decides some claims.
    enum Shape: CaseIterable {
        case opened, autoOpen, buyerBundle, neverReleased, opensEmpty
    }

    func pool(_ shape: Shape) -> Pool {
        switch shape {
        case .opened: TestProgramme.dailyPool(stock: 5, limit: 2)
        case .autoOpen: TestProgramme.dailyPool(stock: 4, autoOpen: true, storeQR: true)
        case .buyerBundle:
            Pool(
                id: TestProgramme.uniqueID("batch-grant"), kind: .housingGrant, name: "grant", faceFen: 200_000,
                thresholdFen: 0, limitPerWindow: 1,
                schedule: TestProgramme.dailyPool(stock: 1).schedule, stockPerRelease: 3, validity: .endOfClaimDay,
                eligibility: EligibilityRule(requiresBuyerList: true), merchantCategories: [], autoOpen: true,
                bundleFen: [100_000, 50_000, 50_000])
        case .neverReleased, .opensEmpty: TestProgramme.dailyPool(stock: 3)
        }
    }

    func prepare(_ shape: Shape, _ pool: Pool, on c: RedisClient) throws {
        switch shape {
        case .opened: _ = try WindowScripts.open(c, pool: pool.id, window: "2022-06-10", quota: 5, now: opensAt)
        case .opensEmpty: _ = try WindowScripts.open(c, pool: pool.id, window: "2022-06-10", quota: 0, now: opensAt)
        case .buyerBundle: _ = try ProgrammeStore(client: c).addBuyers(pool: pool.id, people: ["p0", "p2", "p3"])
        case .autoOpen, .neverReleased: break
        }
    }

    /// Claims from a few people, some repeated, some with keys (so retries fall in the same
    /// batch and in later ones), split into batches of 1 to 8.
    func claims(_ pool: Pool, _ rng: inout SplitMix64) throws -> [[ClaimRequest]] {
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: TestProgramme.calendar))
        var all: [ClaimRequest] = []
        for i in 0..<Int(rng.next() % 24 + 4) {
            let at = opensAt.adding(milliseconds: Int64(i))
            all.append(
                ClaimRequest(
                    pool: pool, window: w, person: "p\(rng.next() % 5)", claimedAt: at,
                    expiresAt: at.adding(milliseconds: 3_600_000),
                    idempotencyKey: rng.next() % 2 == 0 ? nil : "k\(rng.next() % 2)",
                    store: rng.next() % 3 == 0 ? "store-1" : nil))
        }
        var out: [[ClaimRequest]] = []
        var rest = all[...]
        while !rest.isEmpty {
            let n = min(rest.count, Int(rng.next() % 8 + 1))
            out.append(Array(rest.prefix(n)))
            rest = rest.dropFirst(n)
        }
        return out
    }

    /// Every key of the pool and what it holds, in a comparable form (but the operator
    /// actions' ids, which differ between the two Redis by construction).
    func dump(_ c: RedisClient, _ pool: Pool) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for key in try c.command(["KEYS", "cg:{\(pool.id)}*"]).array?.compactMap(\.text) ?? []
        where key != PoolKeys(pool: pool.id).operations {
            switch try c.command(["TYPE", key]).text {
            case "hash": out[key] = try c.command(["HGETALL", key]).stringPairs().map { "\($0)=\($1)" }.sorted()
            case "set": out[key] = try c.command(["SMEMBERS", key]).array?.compactMap(\.text).sorted()
            case let other: out[key] = ["type \(other ?? "?")"]
            }
        }
        return out
    }

    @Test(arguments: Shape.allCases)
    func aBatchAnswersEachClaimAsItWouldHaveAloneAndWritesTheSame(_ shape: Shape) throws {
        var rng = SplitMix64(seed: 0xC1A1_B47C)
        var outcomes: [ClaimOutcome: Int] = [:]
        for _ in 0..<12 {
            let pool = pool(shape)
            try prepare(shape, pool, on: singles)
            try prepare(shape, pool, on: batches)
            for batch in try claims(pool, &rng) {
                let alone = try batch.map { r throws(RedisError) in try ClaimScript.run(r, on: singles) }
                let together = try ClaimScript.run(batch, on: batches).map { try $0.get() }
                #expect(together == alone, "\(shape) \(batch.map(\.person))")
                for o in alone { outcomes[o, default: 0] += 1 }
            }
            #expect(try dump(batches, pool) == dump(singles, pool), "\(shape)")
        }
        // The claims reached the answers this shape is there for, retries among them.
        let kinds = Set(outcomes.keys.map { "\($0)".prefix(while: { $0 != "(" }) })
        let replayed = outcomes.keys.contains { if case .granted(_, _, true) = $0 { true } else { false } }
        switch shape {
        case .opened, .autoOpen: #expect(kinds.isSuperset(of: ["granted", "limitReached", "soldOut"]) && replayed)
        case .buyerBundle: #expect(kinds.isSuperset(of: ["granted", "notEligible", "soldOut"]) && replayed)
        case .neverReleased: #expect(kinds == ["notOpen"])
        case .opensEmpty: #expect(kinds == ["soldOut"])
        }
    }
}

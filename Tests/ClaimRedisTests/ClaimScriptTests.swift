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
        try open()
        // Other tests share this Redis and may reload the script at any moment, so only the
        // end state is asserted: the claim succeeds and the script is cached again.
        _ = try client.command(["SCRIPT", "FLUSH"])
        guard case .granted = try claim("u1") else {
            Issue.record("not granted after SCRIPT FLUSH")
            return
        }
        #expect(try client.command(["SCRIPT", "EXISTS", LuaScript.claim.sha1]).array == [.integer(1)])
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
    /// types by reading each key before its first write, so this is what proves it.
    @Test(arguments: ["window", "people", "replays", "vouchers", "wallet", "windows"])
    func aWrongTypedKeyFailsTheClaimWithNothingWritten(_ broken: String) throws {
        let (grant, prog) = grantPool()
        _ = try ProgrammeStore(client: client).addBuyers(pool: grant.id, people: ["buyer-1"])
        let k = PoolKeys(pool: grant.id)
        let w = "2022-06-10"
        let written = [
            "window": k.window(w), "people": k.people(w), "replays": k.replays(w), "vouchers": k.vouchers,
            "wallet": k.wallet, "windows": k.windows,
        ]
        let target = try #require(written[broken])
        _ = try client.command(["SET", target, "not a hash"]).orThrow()
        // An Idempotency-Key (the replays hash is read) on an auto-open pool's first claim (the
        // window is released in the same script): every write the script can make is reached.
        #expect(throws: RedisError.self) { try claimGrant("buyer-1", grant, prog, key: "k1") }
        #expect(try client.command(["GET", target]) == .bulk(Array("not a hash".utf8)))
        #expect(try client.command(["EXISTS"] + written.values.filter { $0 != target }) == .integer(0))
        // Repaired, the same claim succeeds from a clean slate.
        _ = try client.command(["DEL", target])
        guard case .granted(let bundle, 1, false) = try claimGrant("buyer-1", grant, prog, key: "k1") else {
            Issue.record("not granted after repair")
            return
        }
        #expect(bundle.count == 3)
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

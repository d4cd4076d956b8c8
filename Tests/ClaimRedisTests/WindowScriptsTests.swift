import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

@Suite struct WindowScriptsTests {
    let client: RedisClient
    let pool = TestProgramme.dailyPool(stock: 5)
    let now = TestProgramme.releaseInstant

    init() throws { client = try TestRedis.get().client() }

    func grant(_ person: String) throws {
        let prog = TestProgramme.programme([pool])
        guard
            case .run(let r) = ClaimPlanner(programme: prog).plan(
                pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: nil, now: now)
        else { return }
        _ = try ClaimScript.run(r, on: client)
    }

    @Test func openingTwiceReleasesNothingMore() throws {
        let first = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        #expect(first == .init(changed: true, released: 5, left: 5, granted: 0, quota: 5))
        try grant("a")
        let second = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        #expect(second == .init(changed: false, released: 5, left: 4, granted: 1, quota: 5))
        #expect(try ProgrammeStore(client: client).windows(pool: pool.id) == ["2022-06-10"])
    }

    @Test func resetRestocksWithoutTakingVouchersBackAndIsIdempotent() throws {
        #expect(try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now) == nil)
        _ = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        for p in ["a", "b", "c"] { try grant(p) }
        let once = try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        #expect(once == .init(changed: true, released: 8, left: 5, granted: 3, quota: 5))
        let twice = try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        #expect(twice == .init(changed: false, released: 8, left: 5, granted: 3, quota: 5))
        // Lowering the quota withdraws stock, never vouchers.
        let lower = try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: 1, now: now)
        #expect(lower == .init(changed: true, released: 4, left: 1, granted: 3, quota: 1))
        // Without a quota: the window's own (1 now), whatever a seed says.
        for p in ["d"] { try grant(p) }
        let stored = try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: nil, now: now)
        #expect(stored == .init(changed: true, released: 5, left: 1, granted: 4, quota: 1))
    }

    @Test func resetWhileClaimsArriveKeepsTheBooksBalanced() throws {
        let racing = TestProgramme.dailyPool(stock: 50)
        _ = try WindowScripts.open(client, pool: racing.id, window: "2022-06-10", quota: 50, now: now)
        let endpoint = try TestRedis.get().endpoint
        let prog = TestProgramme.programme([racing])
        let claimant = Thread {
            guard let c = try? RedisClient(endpoint) else { return }
            for i in 0..<2000 {
                guard
                    case .run(let r) = ClaimPlanner(programme: prog).plan(
                        pool: racing, person: "r\(i)", facts: TestProgramme.resident, idempotencyKey: nil,
                        now: TestProgramme.releaseInstant)
                else { return }
                _ = try? ClaimScript.run(r, on: c)
            }
        }
        claimant.start()
        for _ in 0..<40 {
            _ = try WindowScripts.reset(client, pool: racing.id, window: "2022-06-10", quota: 50, now: now)
            usleep(2000)
        }
        while claimant.isExecuting || !claimant.isFinished { usleep(10_000) }
        let store = ProgrammeStore(client: client)
        let vouchers = try store.vouchers(pool: racing.id)["2022-06-10"] ?? []
        #expect(
            AuditReport.problems(
                in: try store.snapshot(pool: racing.id, window: "2022-06-10", limit: 1, vouchers: vouchers)
            ).isEmpty)
    }

    @Test func aRebalanceMovesLeftoverStockWithoutEverOverReleasing() throws {
        let pool = TestProgramme.dailyPool(stock: 9, autoOpen: true, segments: 3)
        for s in pool.segments {
            _ = try WindowScripts.open(client, pool: s.storageID, window: "2022-06-10", quota: 3, now: now)
        }
        let s0 = pool.segments[0].storageID, s1 = pool.segments[1].storageID
        // A take is capped at what is left; a give adds; the books balance in each segment.
        let take = try #require(try WindowScripts.move(client, pool: s1, window: "2022-06-10", change: -5, now: now))
        #expect(take.applied == -3)
        #expect(take.state == .init(changed: true, released: 0, left: 0, granted: 0))
        let give = try #require(try WindowScripts.move(client, pool: s0, window: "2022-06-10", change: 3, now: now))
        #expect(give.state == .init(changed: true, released: 6, left: 6, granted: 0))
        #expect(try WindowScripts.move(client, pool: "\(pool.id).s9", window: "2022-06-10", change: 1, now: now) == nil)
        let store = ProgrammeStore(client: client)
        var released = 0
        for s in pool.segments { released += try store.counts(pool: s.storageID, window: "2022-06-10")?.released ?? 0 }
        #expect(released == 9)
    }
}

/// Every operator script run twice with one operation id (a client's resend after a lost
/// reply) changes nothing the second time and answers what the first run answered, even with
/// claims in between.
@Suite struct OperationIDTests {
    let client: RedisClient
    let pool = TestProgramme.dailyPool(stock: 5)
    let now = TestProgramme.releaseInstant
    var window: String { PoolKeys(pool: pool.id).window("2022-06-10") }

    init() throws { client = try TestRedis.get().client() }

    /// What a claim does to the window's counts.
    func claim(_ n: Int) throws {
        _ = try client.command(["HINCRBY", window, "left", String(-n)]).orThrow()
        _ = try client.command(["HINCRBY", window, "granted", String(n)]).orThrow()
    }

    @Test func aResetRunTwiceWithOneIDReleasesOnce() throws {
        _ = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 100, now: now)
        try claim(50)
        let id = OperationID()
        let first = try WindowScripts.reset(
            client, pool: pool.id, window: "2022-06-10", quota: 100, now: now, operation: id)
        #expect(first == .init(changed: true, released: 150, left: 100, granted: 50, quota: 100))
        try claim(10)
        let again = try WindowScripts.reset(
            client, pool: pool.id, window: "2022-06-10", quota: 100, now: now, operation: id)
        #expect(again == first)
        #expect(try ProgrammeStore(client: client).counts(pool: pool.id, window: "2022-06-10")?.released == 150)
        // A new operation is a new reset.
        let other = try WindowScripts.reset(client, pool: pool.id, window: "2022-06-10", quota: 100, now: now)
        #expect(other?.released == 160)
    }

    @Test func aMoveRunTwiceWithOneIDMovesOnce() throws {
        _ = try WindowScripts.open(client, pool: pool.id, window: "2022-06-10", quota: 10, now: now)
        let id = OperationID()
        let first = try WindowScripts.move(
            client, pool: pool.id, window: "2022-06-10", change: 7, now: now, operation: id)
        try claim(1)
        let again = try WindowScripts.move(
            client, pool: pool.id, window: "2022-06-10", change: 7, now: now, operation: id)
        #expect(first?.applied == 7)
        #expect(again?.applied == first?.applied)
        #expect(again?.state == first?.state)
        #expect(try ProgrammeStore(client: client).counts(pool: pool.id, window: "2022-06-10")?.released == 17)
    }

    @Test func anOpenRunTwiceWithOneIDAnswersTheFirstRun() throws {
        let id = OperationID()
        let first = try WindowScripts.open(
            client, pool: pool.id, window: "2022-06-10", quota: 10, now: now, operation: id)
        let again = try WindowScripts.open(
            client, pool: pool.id, window: "2022-06-10", quota: 10, now: now, operation: id)
        #expect(first.changed && again == first)
    }

    @Test func buyersAddedTwiceWithOneIDCountOnce() throws {
        let store = ProgrammeStore(client: client)
        let id = OperationID()
        #expect(try store.addBuyers(pool: pool.id, people: ["a", "b"], operation: id) == 2)
        #expect(try store.addBuyers(pool: pool.id, people: ["a", "b"], operation: id) == 2)
        #expect(try store.addBuyers(pool: pool.id, people: ["a", "b", "c"]) == 1)
    }

    @Test func idsAreFreshAndStepsAreDistinct() {
        let a = OperationID()
        #expect(a != OperationID())
        #expect(a.description.count == 32)
        #expect(a.step(0) != a.step(1))
    }
}

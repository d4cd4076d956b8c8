import ClaimCore
import ClaimTestSupport
import Testing

@testable import ClaimRedis

/// A released, open window keeps its shape (issue "No wrong answer at the seams", defect 3).
@Suite struct PoolShapesTests {
    let client: RedisClient
    let id = TestProgramme.uniqueID("shape")
    let now = TestProgramme.releaseInstant.adding(milliseconds: 1000)

    init() throws { client = try TestRedis.get().client() }

    func pool(segments: Int = 1, limit: Int = 1) -> Pool {
        TestProgramme.dailyPool(id: id, stock: 8, limit: limit, segments: segments)
    }

    func reconcile(_ p: Pool, at instant: Instant? = nil) throws -> [PoolShapes.Conflict] {
        try PoolShapes(client: client).reconcile(TestProgramme.programme([p]), now: instant ?? now)
    }

    @Test func aLiveWindowCannotBeReSplitOrGetANewLimitUntilItCloses() throws {
        #expect(try reconcile(pool()).isEmpty)
        _ = try WindowScripts.open(client, pool: id, window: "2022-06-10", quota: 8, now: now)
        let split = try reconcile(pool(segments: 4))
        #expect(split.map(\.pool) == [id])
        #expect(split.first?.changes == ["segments 1 -> 4"])
        #expect(split.first?.description.contains("2022-06-10") == true)
        #expect(try reconcile(pool(limit: 2)).first?.changes == ["limit_per_window 1 -> 2"])
        // The record still says what the live window was released with.
        #expect(try reconcile(pool()).isEmpty)
        // Once the window has closed, the next one may have another shape.
        let tomorrow = TestProgramme.calendar.instant(
            on: CivilDate(year: 2022, month: 6, day: 11)!, at: TimeOfDay(hour: 9, minute: 0)!)
        #expect(try reconcile(pool(segments: 4), at: tomorrow).isEmpty)
        #expect(try client.command(["GET", PoolShapes.key(pool: id)]).text == PoolShape(pool(segments: 4)).encoded)
    }

    @Test func aWindowReleasedBeforeShapesWereRecordedIsFoundToo() throws {
        _ = try WindowScripts.open(client, pool: id, window: "2022-06-10", quota: 8, now: now)
        let conflicts = try reconcile(pool(segments: 4))
        #expect(conflicts.first?.changes == ["segments (released as 1) -> 4"])
        #expect(try client.command(["EXISTS", PoolShapes.key(pool: id)]).integer == 0)
    }

    @Test func theShapeEncodesAndDecodes() {
        let s = PoolShape(TestProgramme.dailyPool(stock: 1, limit: 3, bundle: [100, 200], segments: 2))
        #expect(PoolShape(encoded: s.encoded) == s)
        #expect(PoolShape(encoded: "segments=x") == nil)
        #expect(PoolShape(encoded: "") == nil)
    }
}

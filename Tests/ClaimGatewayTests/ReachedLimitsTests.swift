import ClaimCore
import Testing

@testable import ClaimGateway

@Suite struct ReachedLimitsTests {
    static func window(_ day: Int64) -> ReleaseWindow {
        let opens = Instant(unixMilliseconds: 1_654_826_400_000 + day * 86_400_000)
        return ReleaseWindow(id: "day-\(day)", opensAt: opens, closesAt: opens.adding(milliseconds: 50_400_000))
    }
    let now = Instant(unixMilliseconds: 1_654_826_400_001)

    @Test func coversOnlyThePersonPoolAndWindowMarked() {
        var marks = ReachedLimits(pools: 2, capacity: 10)
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        #expect(marks.covers(pool: 0, person: "a", window: Self.window(0)))
        #expect(!marks.covers(pool: 0, person: "b", window: Self.window(0)))
        #expect(!marks.covers(pool: 1, person: "a", window: Self.window(0)))
        #expect(!marks.covers(pool: 0, person: "a", window: Self.window(1)))
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        #expect(marks.count == 1)
    }

    @Test func aLaterWindowDropsTheEarlierOnesMarksAndALateReplyChangesNothing() {
        var marks = ReachedLimits(pools: 1, capacity: 10)
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        marks.mark(pool: 0, person: "b", window: Self.window(1), now: now)
        #expect(!marks.covers(pool: 0, person: "a", window: Self.window(0)))
        #expect(marks.covers(pool: 0, person: "b", window: Self.window(1)))
        // A reply from day 0 arriving after day 1's: not kept, day 1's marks stay.
        marks.mark(pool: 0, person: "c", window: Self.window(0), now: now)
        #expect(!marks.covers(pool: 0, person: "c", window: Self.window(0)))
        #expect(marks.covers(pool: 0, person: "b", window: Self.window(1)))
        #expect(marks.count == 1)
    }

    @Test func forgetDropsOnePoolsMarks() {
        var marks = ReachedLimits(pools: 2, capacity: 10)
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        marks.mark(pool: 1, person: "a", window: Self.window(0), now: now)
        marks.forget(pool: 0)
        #expect(!marks.covers(pool: 0, person: "a", window: Self.window(0)))
        #expect(marks.covers(pool: 1, person: "a", window: Self.window(0)))
        #expect(marks.count == 1)
        marks.mark(pool: 0, person: "b", window: Self.window(0), now: now)
        #expect(marks.covers(pool: 0, person: "b", window: Self.window(0)))
    }

    @Test func fullItKeepsNoMoreUntilAClosedWindowsMarksGo() {
        var marks = ReachedLimits(pools: 3, capacity: 2)
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        marks.mark(pool: 1, person: "b", window: Self.window(0), now: now)
        marks.mark(pool: 1, person: "c", window: Self.window(0), now: now)
        #expect(marks.count == 2)
        #expect(!marks.covers(pool: 1, person: "c", window: Self.window(0)))
        // The next day the day-0 windows of pools 0 and 1 are closed: their marks make room.
        let tomorrow = now.adding(milliseconds: 86_400_000)
        marks.mark(pool: 2, person: "d", window: Self.window(1), now: tomorrow)
        #expect(marks.covers(pool: 2, person: "d", window: Self.window(1)))
        #expect(!marks.covers(pool: 0, person: "a", window: Self.window(0)))
        #expect(!marks.covers(pool: 1, person: "b", window: Self.window(0)))
        #expect(marks.count == 1)
    }

    @Test func aCapacityOfZeroKeepsNothing() {
        var marks = ReachedLimits(pools: 1, capacity: 0)
        marks.mark(pool: 0, person: "a", window: Self.window(0), now: now)
        #expect(!marks.covers(pool: 0, person: "a", window: Self.window(0)))
        #expect(marks.count == 0)
    }
}

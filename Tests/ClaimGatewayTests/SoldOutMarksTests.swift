import ClaimCore
import Testing

@testable import ClaimGateway

@Suite struct SoldOutMarksTests {
    let day10 = ReleaseWindow(
        id: "2022-06-10", opensAt: Instant(unixMilliseconds: 1000), closesAt: Instant(unixMilliseconds: 2000))
    let day11 = ReleaseWindow(
        id: "2022-06-11", opensAt: Instant(unixMilliseconds: 3000), closesAt: Instant(unixMilliseconds: 4000))

    func at(_ ms: Int64) -> Instant { Instant(unixMilliseconds: ms) }

    @Test func aMarkCoversItsWindowOnlyWhileTheWindowIsOpen() {
        var marks = SoldOutMarks(segmentsPerPool: [1, 1])
        #expect(marks.isEmpty)
        marks.mark(pool: 1, segment: 0, window: day10)
        #expect(!marks.isEmpty)
        #expect(!marks.covers(pool: 1, at: at(999)))
        #expect(marks.covers(pool: 1, at: at(1000)))
        #expect(marks.covers(pool: 1, at: at(1999)))
        #expect(!marks.covers(pool: 1, at: at(2000)))
        #expect(!marks.covers(pool: 0, at: at(1500)))
    }

    @Test func aSplitPoolIsCoveredWholeOnlyWhenEverySegmentIsMarked() {
        var marks = SoldOutMarks(segmentsPerPool: [3])
        marks.mark(pool: 0, segment: 0, window: day10)
        marks.mark(pool: 0, segment: 2, window: day10)
        #expect(!marks.covers(pool: 0, at: at(1500)))
        #expect(marks.covers(pool: 0, segment: 0, at: at(1500)))
        #expect(!marks.covers(pool: 0, segment: 1, at: at(1500)))
        marks.mark(pool: 0, segment: 1, window: day10)
        marks.mark(pool: 0, segment: 1, window: day10)
        #expect(marks.covers(pool: 0, at: at(1500)))
        marks.unmark(pool: 0, segment: 1, windowID: day10.id)
        #expect(!marks.covers(pool: 0, at: at(1500)))
    }

    @Test func aRestockOfAnotherWindowChangesNothingAndTheLastUnmarkClearsThePool() {
        var marks = SoldOutMarks(segmentsPerPool: [1])
        marks.mark(pool: 0, segment: 0, window: day10)
        marks.unmark(pool: 0, segment: 0, windowID: day11.id)
        #expect(marks.covers(pool: 0, at: at(1500)))
        marks.unmark(pool: 0, segment: 0, windowID: day10.id)
        #expect(!marks.covers(pool: 0, at: at(1500)))
        #expect(marks.isEmpty)
    }

    @Test func aLateReplyForAnEarlierWindowDoesNotReplaceTheCurrentMark() {
        var marks = SoldOutMarks(segmentsPerPool: [1])
        marks.mark(pool: 0, segment: 0, window: day11)
        marks.mark(pool: 0, segment: 0, window: day10)
        #expect(marks.covers(pool: 0, at: at(3500)))
        #expect(!marks.covers(pool: 0, at: at(1500)))
        // A later window replaces an earlier one.
        var next = SoldOutMarks(segmentsPerPool: [1])
        next.mark(pool: 0, segment: 0, window: day10)
        next.mark(pool: 0, segment: 0, window: day11)
        #expect(next.covers(pool: 0, at: at(3500)))
    }

    @Test func aSweepDropsClosedWindowsAndListsTheMarksToRecheck() {
        var marks = SoldOutMarks(segmentsPerPool: [2, 1])
        marks.mark(pool: 0, segment: 1, window: day11)
        marks.mark(pool: 1, segment: 0, window: day10)
        let left = marks.sweep(now: at(2500))
        #expect(left.map { "\($0.pool).\($0.segment) \($0.window.id)" } == ["0.1 2022-06-11"])
        #expect(!marks.covers(pool: 1, segment: 0, at: at(1500)))
        #expect(marks.sweep(now: at(4000)).isEmpty)
        #expect(marks.isEmpty)
    }
}

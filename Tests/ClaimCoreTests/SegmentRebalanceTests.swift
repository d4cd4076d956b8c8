import Testing

@testable import ClaimCore

@Suite struct SegmentRebalanceTests {
    @Test func takesTheExcessAndGivesItToTheEmptied() {
        let plan = SegmentRebalance(left: [0, 90, 30])
        #expect(plan.targets == [40, 40, 40])
        #expect(plan.takes.map { [$0.segment, $0.amount] } == [[1, 50]])
        #expect(plan.gives(taken: 50).map { [$0.segment, $0.amount] } == [[0, 40], [2, 10]])
    }

    @Test func aSmallerTakeIsGivenOutNeverMore() {
        // Claims emptied segment 1 further before the take ran: only 20 could be taken.
        let plan = SegmentRebalance(left: [0, 90, 30])
        let gives = plan.gives(taken: 20)
        #expect(gives.map(\.amount).reduce(0, +) == 20)
        #expect(gives.map { [$0.segment, $0.amount] } == [[0, 20]])
    }

    @Test func evenOrEmptyPoolsMoveNothing() {
        #expect(SegmentRebalance(left: [5, 5, 4]).takes.isEmpty)
        #expect(SegmentRebalance(left: [0, 0, 0]).takes.isEmpty)
        #expect(SegmentRebalance(left: [0, 0, 0]).gives(taken: 0).isEmpty)
        let one = SegmentRebalance(left: [1, 0, 0])
        #expect(one.targets == [1, 0, 0])
        #expect(one.takes.isEmpty)
    }
}

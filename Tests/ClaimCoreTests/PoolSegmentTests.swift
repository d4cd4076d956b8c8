import Testing

@testable import ClaimCore

@Suite struct PoolSegmentTests {
    static func pool(_ id: String, segments: Int = 1) -> Pool {
        let d = DateRange(
            first: CivilDate(year: 2022, month: 6, day: 10)!, last: CivilDate(year: 2022, month: 6, day: 30)!)!
        return Pool(
            id: id, kind: .specialty, name: id, faceFen: 1500, thresholdFen: 10000, limitPerWindow: 1,
            schedule: .daily(ranges: [d], opensAt: TimeOfDay(hour: 10, minute: 0)!, closesAt: .endOfDay),
            stockPerRelease: 10, validity: .endOfClaimDay, eligibility: EligibilityRule(),
            merchantCategories: ["x"], segmentCount: segments)
    }
    let split = pool("hot", segments: 3)
    let whole = pool("calm")

    @Test func anUnsplitPoolIsItsOwnOnlySegment() {
        #expect(whole.segments.map(\.storageID) == ["calm"])
        #expect(whole.segment(of: "anyone") == PoolSegment(pool: whole, index: 0))
        #expect(whole.segment(of: "anyone").share(of: 10) == 10)
    }

    @Test func sharesAddUpToTheQuotaAndDifferByAtMostOne() {
        for total in [0, 1, 2, 3, 10, 30_001] {
            let shares = split.segments.map { $0.share(of: total) }
            #expect(shares.reduce(0, +) == total)
            #expect((shares.max() ?? 0) - (shares.min() ?? 0) <= 1)
        }
    }

    @Test func aPersonAlwaysLandsInTheSameSegmentAndPeopleSpreadEvenly() {
        #expect(split.segment(of: "u42") == split.segment(of: "u42"))
        var counts = [0, 0, 0]
        for i in 0..<30_000 { counts[split.segment(of: "u\(i)").index] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 600 }, "\(counts)")
    }

    @Test func storageIDsNameTheirSegmentBack() {
        let programme = Programme(id: "p", name: "p", calendar: .shenyang, pools: [split, whole])
        #expect(programme.segment(storageID: "hot.s2") == PoolSegment(pool: split, index: 2))
        #expect(programme.segment(storageID: "calm") == PoolSegment(pool: whole, index: 0))
        for bad in ["hot", "hot.s3", "hot.s", "hot.sx", "hot.s01", "calm.s0", "nope.s0", "hot.", ".s1"] {
            #expect(programme.segment(storageID: bad) == nil, "\(bad)")
        }
    }
}

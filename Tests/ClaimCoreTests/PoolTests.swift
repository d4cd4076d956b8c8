import Testing

@testable import ClaimCore

/// Pool is a class for cheap copies; it must still compare as the value it was.
@Suite struct PoolTests {
    func pool(
        id: String = "p", name: String = "n", face: Int = 500, categories: [String] = ["a"], bundle: [Int]? = nil,
        segments: Int = 1, useLimit: Int? = nil
    ) -> Pool {
        let d = DateRange(
            first: CivilDate(year: 2022, month: 6, day: 10)!, last: CivilDate(year: 2022, month: 6, day: 30)!)!
        return Pool(
            id: id, kind: .appliance, name: name, faceFen: face, thresholdFen: 1000, limitPerWindow: 1,
            schedule: .daily(ranges: [d], opensAt: TimeOfDay(hour: 10, minute: 0)!, closesAt: .endOfDay),
            stockPerRelease: 10, validity: .endOfClaimDay, eligibility: EligibilityRule(),
            merchantCategories: categories,
            useLimitPerProgramme: useLimit, bundleFen: bundle, segmentCount: segments)
    }

    @Test func twoPoolsBuiltAlikeAreEqualAndHashAlike() {
        #expect(pool() == pool())
        #expect(pool().hashValue == pool().hashValue)
        #expect(Set([pool(), pool()]).count == 1)
    }

    @Test func anyFieldThatDiffersMakesThemDifferent() {
        let base = pool()
        for other in [
            pool(id: "q"), pool(name: "m"), pool(face: 200), pool(categories: ["b"]), pool(bundle: [500, 500]),
            pool(segments: 2), pool(useLimit: 1),
        ] {
            #expect(base != other)
        }
    }
}

import Testing

@testable import ClaimCore

@Suite struct PoolRulesTextTests {
    @Test func everyRuleThatIsOnHasItsLine() {
        let pool = TestPools.storePool()
        let lines = PoolRulesText.lines(pool)
        #expect(lines.contains { $0.contains("in store only") })
        #expect(lines.contains { $0.contains("at most 1 used per person over the whole programme") })
        #expect(lines.contains { $0.contains("paying with a card starting 62") })
        #expect(lines.contains { $0.contains("500 yuan") && $0.contains("5000 yuan") })
        #expect(lines.contains { $0.contains("valid until 24:00 of the claim day") })
    }

    @Test func aRuleThatIsOffHasNone() {
        let lines = PoolRulesText.lines(TestPools.storePool(storeQR: false, useLimit: nil))
        #expect(!lines.contains { $0.contains("in store only") })
        #expect(!lines.contains { $0.contains("whole programme") })
    }

    @Test func moneyIsWrittenInYuan() {
        #expect(PoolRulesText.yuan(50000) == "500 yuan")
        #expect(PoolRulesText.yuan(1505) == "15.05 yuan")
        #expect(PoolRulesText.yuan(1550) == "15.50 yuan")
    }
}

/// A pool built here (ClaimCoreTests does not depend on the test support target).
enum TestPools {
    static func storePool(storeQR: Bool = true, useLimit: Int? = 1) -> Pool {
        let d = DateRange(
            first: CivilDate(year: 2022, month: 6, day: 10)!, last: CivilDate(year: 2022, month: 6, day: 30)!)!
        return Pool(
            id: "appliance-500", kind: .appliance, name: "Appliance 500", faceFen: 50000, thresholdFen: 500000,
            limitPerWindow: 1,
            schedule: .daily(ranges: [d], opensAt: TimeOfDay(hour: 10, minute: 0)!, closesAt: .endOfDay),
            stockPerRelease: 1000, validity: .endOfClaimDay,
            eligibility: EligibilityRule(region: "210100", requiresRealName: true, cardPrefix: "62"),
            merchantCategories: ["appliance-telecom-electronics"], autoOpen: true, requiresStoreQR: storeQR,
            useLimitPerProgramme: useLimit)
    }
}

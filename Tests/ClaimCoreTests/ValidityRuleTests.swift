import Testing

@testable import ClaimCore

@Suite struct ValidityRuleTests {
    let cal = CityCalendar.shenyang
    func at(_ s: String) -> Instant { cal.parseISO8601(s)! }

    @Test func claimDayVouchersExpireAtMidnight() {
        #expect(ValidityRule.endOfClaimDay.expiry(claimedAt: at("2022-06-10T10:00"), in: cal) == at("2022-06-11T00:00"))
        #expect(
            ValidityRule.endOfClaimDay.expiry(claimedAt: at("2022-06-10T23:59:59.999"), in: cal)
                == at("2022-06-11T00:00"))
        #expect(ValidityRule.endOfClaimDay.expiry(claimedAt: at("2022-06-11T00:00"), in: cal) == at("2022-06-12T00:00"))
    }

    @Test func comprehensiveVouchersLastUntilTheNextThursdayMidnight() {
        let thursday = ValidityRule.endOfWeekday(4)
        // Friday June 10 -> Thursday June 16, 24:00.
        #expect(thursday.expiry(claimedAt: at("2022-06-10T10:00"), in: cal) == at("2022-06-17T00:00"))
        // Claimed on a Thursday: valid until that same midnight.
        #expect(thursday.expiry(claimedAt: at("2022-06-16T23:00"), in: cal) == at("2022-06-17T00:00"))
        // Across a month boundary: Thursday June 30 and Friday July 29.
        #expect(thursday.expiry(claimedAt: at("2022-06-30T10:00"), in: cal) == at("2022-07-01T00:00"))
        #expect(thursday.expiry(claimedAt: at("2022-07-29T10:00"), in: cal) == at("2022-08-05T00:00"))
    }

    @Test func fixedDatesExpireAtTheirEnd() {
        #expect(
            ValidityRule.endOf(CivilDate("2022-08-31")!).expiry(claimedAt: at("2022-06-20T10:00"), in: cal)
                == at("2022-09-01T00:00"))
    }

    @Test func expiredMeansAtOrAfterTheExpiry() {
        let v = Voucher(
            id: "p:w:1", pool: "p", window: "w", owner: "u", faceFen: 1, thresholdFen: 0,
            claimedAt: at("2022-06-10T10:00"),
            expiresAt: at("2022-06-11T00:00"))
        #expect(!v.isExpired(at: at("2022-06-10T23:59:59.999")))
        #expect(v.isExpired(at: at("2022-06-11T00:00")))
    }
}

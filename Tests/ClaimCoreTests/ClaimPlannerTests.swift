import Testing

@testable import ClaimCore

@Suite struct ClaimPlannerTests {
    let cal = CityCalendar.shenyang
    func at(_ s: String) -> Instant { cal.parseISO8601(s)! }
    let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)

    var pool: Pool {
        Pool(
            id: "appliance-500", kind: .appliance, name: "a", faceFen: 50000, thresholdFen: 500000, limitPerWindow: 1,
            schedule: .daily(
                ranges: [DateRange(first: CivilDate("2022-06-10")!, last: CivilDate("2022-06-30")!)!],
                opensAt: TimeOfDay("10:00")!, closesAt: .endOfDay),
            stockPerRelease: 1000, validity: .endOfClaimDay, eligibility: EligibilityRule(region: "210100"),
            merchantCategories: [])
    }

    var planner: ClaimPlanner { ClaimPlanner(programme: Programme(id: "p", name: "p", calendar: cal, pools: [pool])) }

    @Test func answersNotOpenWithTheOpeningInstantBeforeTen() {
        let plan = planner.plan(
            pool: pool, person: "u1", facts: facts, idempotencyKey: nil, now: at("2022-06-10T09:59:59.999"))
        #expect(plan == .answer(.notOpen(opensAt: at("2022-06-10T10:00"))))
    }

    @Test func runsTheScriptInsideTheWindowWithTheExpiry() {
        guard
            case .run(let r) = planner.plan(
                pool: pool, person: "u1", facts: facts, idempotencyKey: "k", now: at("2022-06-10T10:00"))
        else {
            Issue.record("expected run")
            return
        }
        #expect(r.window.id == "2022-06-10")
        #expect(r.expiresAt == at("2022-06-11T00:00"))
        #expect(r.idempotencyKey == "k")
    }

    @Test func answersClosedAfterTheLastWindow() {
        #expect(
            planner.plan(pool: pool, person: "u1", facts: facts, idempotencyKey: nil, now: at("2022-07-01T10:00"))
                == .answer(.closed))
    }

    @Test func refusesIneligiblePeopleBeforeAnythingElse() {
        var f = facts
        f.region = "110000"
        #expect(
            planner.plan(pool: pool, person: "u1", facts: f, idempotencyKey: nil, now: at("2022-06-10T10:00"))
                == .answer(.notEligible(.outsideCity)))
    }

    @Test func buyerListPoolsAreCheckedByTheScriptWhereTheListLives() {
        let grant = Pool(
            id: "housing-fair", kind: .housingGrant, name: "g", faceFen: 200000, thresholdFen: 0, limitPerWindow: 1,
            schedule: pool.schedule, stockPerRelease: 6000, validity: .endOfClaimDay,
            eligibility: EligibilityRule(requiresBuyerList: true), merchantCategories: [],
            bundleFen: [100000, 50000, 50000])
        let p = ClaimPlanner(programme: Programme(id: "p", name: "p", calendar: cal, pools: [grant]))
        guard
            case .run(let r) = p.plan(
                pool: grant, person: "u1", facts: facts, idempotencyKey: nil, now: at("2022-06-10T10:00"))
        else {
            Issue.record("expected run")
            return
        }
        #expect(r.pool.vouchersPerGrant == 3)
    }

    var inStore: (Pool, ClaimPlanner) {
        let p = Pool(
            id: "appliance-200", kind: .appliance, name: "a", faceFen: 20000, thresholdFen: 200000, limitPerWindow: 1,
            schedule: pool.schedule, stockPerRelease: 10, validity: .endOfClaimDay, eligibility: EligibilityRule(),
            merchantCategories: [], requiresStoreQR: true)
        return (p, ClaimPlanner(programme: Programme(id: "p", name: "p", calendar: cal, pools: [p], stores: ["s1"])))
    }

    @Test func inStorePoolsNeedTodaysQRCodeOfAKnownStore() {
        let (p, planner) = inStore
        let now = at("2022-06-10T10:30")
        let today = CivilDate("2022-06-10")!
        func plan(_ visit: StoreVisit) -> ClaimPlanner.Plan {
            planner.plan(pool: p, person: "u1", facts: facts, idempotencyKey: nil, now: now, store: visit)
        }
        #expect(plan(.none) == .answer(.notEligible(.storeQRRequired)))
        #expect(plan(.invalid) == .answer(.notEligible(.storeQRInvalid)))
        #expect(plan(.scanned(store: "s9", day: today)) == .answer(.notEligible(.unknownStore)))
        #expect(plan(.scanned(store: "s1", day: today.adding(days: -1))) == .answer(.notEligible(.storeQROtherDay)))
        guard case .run(let r) = plan(.scanned(store: "s1", day: today)) else {
            Issue.record("expected run")
            return
        }
        #expect(r.store == "s1")
    }

    @Test func theQRDayIsTheCitysDayNotUTCs() {
        let (p, planner) = inStore
        // 23:30 in the city is 15:30 UTC the same day; 00:30 on the 11th is still the 10th in UTC.
        let justAfterMidnight = at("2022-06-11T00:30")
        let plan = planner.plan(
            pool: p, person: "u1", facts: facts, idempotencyKey: nil, now: justAfterMidnight,
            store: .scanned(store: "s1", day: CivilDate("2022-06-10")!))
        #expect(plan == .answer(.notEligible(.storeQROtherDay)))
    }
}

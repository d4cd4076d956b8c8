import Testing

@testable import ClaimCore

@Suite struct GrantLedgerTests {
    @Test func acceptsGrantsWithinLimitAndStock() {
        var l = GrantLedger()
        l.record(voucher: "p:w:1", person: "a")
        l.record(voucher: "p:w:2", person: "b")
        #expect(l.problems(limit: 1, released: 2).isEmpty)
        #expect(l.problems(againstStore: ["p:w:1": "a", "p:w:2": "b", "p:w:3": "z"]).isEmpty)
    }

    @Test func catchesDuplicatesOverLimitAndOversell() {
        var l = GrantLedger()
        l.record(voucher: "p:w:1", person: "a")
        l.record(voucher: "p:w:1", person: "a")
        l.record(voucher: "p:w:2", person: "a")
        let problems = l.problems(limit: 1, released: 1)
        #expect(problems.contains { $0.contains("granted twice") })
        #expect(problems.contains { $0.contains("over the limit") })
        #expect(problems.contains { $0.contains("oversold") })
    }

    @Test func catchesVouchersRedisDoesNotHave() {
        var l = GrantLedger()
        l.record(voucher: "p:w:1", person: "a")
        l.record(voucher: "p:w:2", person: "b")
        let problems = l.problems(againstStore: ["p:w:2": "c"])
        #expect(problems.contains { $0.contains("1 acknowledged vouchers missing") })
        #expect(problems.contains { $0.contains("owned by someone else") })
    }
}

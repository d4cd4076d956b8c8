import Testing

@testable import ClaimCore

@Suite struct AuditReportTests {
    func clean() -> WindowSnapshot {
        WindowSnapshot(
            pool: "p", window: "w", released: 3, left: 1, granted: 2, limitPerWindow: 1,
            claimsByPerson: ["a": 1, "b": 1],
            voucherOwners: ["p:w:1": "a", "p:w:2": "b"])
    }

    @Test func aConsistentWindowHasNoProblems() { #expect(AuditReport.problems(in: clean()).isEmpty) }

    @Test func namesAnOversell() {
        var s = clean()
        s.left = 2
        #expect(AuditReport.problems(in: s).contains { $0.contains("granted 2 + left 2 != released 3") })
    }

    @Test func namesAPersonOverTheLimit() {
        var s = clean()
        s.claimsByPerson["a"] = 2
        s.voucherOwners["p:w:3"] = "a"
        s.granted = 3
        s.left = 0
        #expect(AuditReport.problems(in: s).contains { $0.contains("a claimed 2, limit 1") })
    }

    @Test func namesVouchersWithoutClaimsAndClaimsWithoutVouchers() {
        var s = clean()
        s.voucherOwners["p:w:2"] = "c"
        let problems = AuditReport.problems(in: s)
        #expect(problems.contains { $0.contains("b counted 1 claims but owns 0") })
        #expect(problems.contains { $0.contains("c owns 1 vouchers with no claim counted") })
    }

    @Test func namesAMissingVoucherRecord() {
        var s = clean()
        s.voucherOwners["p:w:2"] = nil
        #expect(AuditReport.problems(in: s).contains { $0.contains("1 voucher records for 2 granted") })
    }
}

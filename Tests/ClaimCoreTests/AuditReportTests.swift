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

    @Test func bundlesCountEveryVoucherOfEveryGrant() {
        var s = WindowSnapshot(
            pool: "h", window: "g", released: 2, left: 1, granted: 1, limitPerWindow: 1, claimsByPerson: ["a": 1],
            voucherOwners: ["h:g:1.1": "a", "h:g:1.2": "a", "h:g:1.3": "a"], vouchersPerGrant: 3)
        #expect(AuditReport.problems(in: s).isEmpty)
        s.voucherOwners["h:g:1.3"] = nil
        #expect(!AuditReport.problems(in: s).isEmpty)
    }

    @Test func redemptionsMustBeOfRealVouchersCountedAndWithinTheLimit() {
        let owners = ["p:1": "a", "p:2": "a", "p:3": "b"]
        #expect(
            AuditReport.problems(
                in: RedemptionSnapshot(
                    pool: "p", useLimit: 1, voucherOwners: owners, redeemed: ["p:1", "p:3"],
                    useCounts: ["a": 1, "b": 1])
            ).isEmpty)
        let over = AuditReport.problems(
            in: RedemptionSnapshot(
                pool: "p", useLimit: 1, voucherOwners: owners, redeemed: ["p:1", "p:2"], useCounts: ["a": 2]))
        #expect(over.contains { $0.contains("a redeemed 2, programme limit 1") })
        let ghost = AuditReport.problems(
            in: RedemptionSnapshot(
                pool: "p", useLimit: nil, voucherOwners: owners, redeemed: ["p:9"], useCounts: ["a": 1]))
        #expect(ghost.contains { $0.contains("p:9 does not exist") })
        #expect(ghost.contains { $0.contains("a use count 1 but 0") })
    }
}

import Testing

@testable import ClaimCore

@Suite struct IdentifierTests {
    @Test func acceptsKeySafeNames() {
        for ok in ["appliance-500", "u_1.2", "2022-06-10", String(repeating: "a", count: 64)] {
            #expect(Identifier.isValid(ok))
        }
    }

    @Test func refusesAnythingThatCouldBreakAKeyOrARecord() {
        for bad in ["", "a b", "a{b}", "a:b", "a|b", "é", "a\"", String(repeating: "a", count: 65)] {
            #expect(!Identifier.isValid(bad), "\(bad)")
        }
    }
}

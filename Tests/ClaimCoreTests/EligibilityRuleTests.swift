import Testing

@testable import ClaimCore

@Suite struct EligibilityRuleTests {
    let resident = EligibilityRule(region: "210100", requiresRealName: true, cardPrefix: "62")
    let specialty = EligibilityRule(individualsOnly: true)
    let ok = EligibilityFacts(region: "210100", realName: true, cardPrefix: "6222", account: .individual)

    @Test func aLocatedRealNameUnionPayHolderQualifies() {
        #expect(resident.refusal(for: ok) == nil)
    }

    @Test func eachRuleSaysWhichFailed() {
        var f = ok
        f.region = "110000"
        #expect(resident.refusal(for: f) == .outsideCity)
        f = ok
        f.realName = false
        #expect(resident.refusal(for: f) == .notRealName)
        f = ok
        f.cardPrefix = "4111"
        #expect(resident.refusal(for: f) == .cardPrefix)
        f.cardPrefix = ""
        #expect(resident.refusal(for: f) == .cardPrefix)
    }

    @Test func specialtyIsNationwideButNotForEnterprises() {
        var f = EligibilityFacts(region: "440300", realName: false, cardPrefix: "", account: .individual)
        #expect(specialty.refusal(for: f) == nil)
        f.account = .enterprise
        #expect(specialty.refusal(for: f) == .enterpriseAccount)
    }
}

import ClaimCore
import ClaimTestSupport
import Testing

@testable import ClaimGateway

/// The pre-rendered grant body against `ResponseBody.claim` for the same voucher.
@Suite struct GrantAnswerTests {
    let calendar = TestProgramme.calendar
    let window = ReleaseWindow(
        id: "2022-06-10", opensAt: TestProgramme.releaseInstant,
        closesAt: TestProgramme.releaseInstant.adding(milliseconds: 50_400_000))

    func bodies(
        _ pool: Pool, segment: Int = 0, store: String? = nil, left: Int = 41, answeredAfter: Int64 = 3,
        expiresIn: Int64 = 50_000_000
    ) -> (templated: String, general: String) {
        let claimed = TestProgramme.releaseInstant.adding(milliseconds: 1234)
        let expires = claimed.adding(milliseconds: expiresIn)
        let now = claimed.adding(milliseconds: answeredAfter)
        // The id as claim.lua writes it: <storage id>:<window>:<number>.
        let id = "\(PoolSegment(pool: pool, index: segment).storageID):\(window.id):17"
        var out: [UInt8] = []
        GrantAnswer(pool: pool, window: window, programme: TestProgramme.programme([pool]))?.append(
            segment: segment, number: 17, claimedAt: claimed, expiresAt: expires, store: store, left: Int64(left),
            now: now, to: &out)
        let voucher = Voucher(
            id: id, pool: pool.id, window: window.id, owner: "u1", faceFen: pool.faceFen,
            thresholdFen: pool.thresholdFen,
            claimedAt: claimed, expiresAt: expires, store: store)
        let general = ResponseBody.claim(
            .granted([voucher], left: left, replayed: false), pool: pool, programme: TestProgramme.programme([pool]),
            now: now)
        #expect(general.status == 201)
        return (String(decoding: out, as: UTF8.self), String(decoding: general.body, as: UTF8.self))
    }

    @Test func writesWhatTheGeneralWriterWrites() {
        let plain = TestProgramme.dailyPool(stock: 1)
        let b = bodies(plain)
        #expect(b.templated == b.general)
        let s = bodies(TestProgramme.dailyPool(stock: 1, storeQR: true), store: "store-1")
        #expect(s.templated == s.general)
        #expect(s.templated.contains(#""store":"store-1","store_name":"Store One, Test Street""#))
        // A store the programme has no name for is named by its id.
        let unnamed = bodies(TestProgramme.dailyPool(stock: 1, storeQR: true), store: "store-9")
        #expect(unnamed.templated == unnamed.general)
        #expect(unnamed.templated.contains(#""store_name":"store-9""#))
        let big = bodies(plain, left: 999_999_999)
        #expect(big.templated == big.general)
    }

    @Test func writesEachSegmentsVoucherID() {
        let split = TestProgramme.dailyPool(stock: 10, segments: 4)
        for segment in 0..<4 {
            let b = bodies(split, segment: segment)
            #expect(b.templated == b.general)
            #expect(b.templated.contains(#""id":"\#(split.id).s\#(segment):2022-06-10:17""#))
        }
    }

    @Test func escapesTheSameWay() {
        let odd = Pool(
            id: "odd-1", kind: .specialty, name: "n", faceFen: 1500, thresholdFen: 10_000, limitPerWindow: 1,
            schedule: TestProgramme.dailyPool(stock: 1).schedule, stockPerRelease: 1, validity: .endOfClaimDay,
            eligibility: EligibilityRule(), merchantCategories: ["quote\"d", "back\\slash", "tab\tline\n", "茶叶"])
        let b = bodies(odd, store: "st\"ore")
        #expect(b.templated == b.general)
    }

    @Test func aVoucherWhoseDayEndedInFlightIsAnsweredExpired() {
        let b = bodies(TestProgramme.dailyPool(stock: 1), answeredAfter: 10, expiresIn: 5)
        #expect(b.templated == b.general)
        #expect(b.templated.contains(#""state":"expired""#))
    }

    /// The template is cut from `ResponseBody.claim`'s own output: a pool whose text holds one
    /// of the sample's marks cannot be cut safely, and the answer falls back to the writer.
    @Test func aPoolWhoseTextHoldsAMarkIsNotTemplated() {
        let plain = TestProgramme.dailyPool(stock: 1)
        #expect(GrantAnswer(pool: plain, window: window, programme: TestProgramme.programme([plain])) != nil)
        let odd = Pool(
            id: "odd-2", kind: .specialty, name: "n", faceFen: 1500, thresholdFen: 10_000, limitPerWindow: 1,
            schedule: plain.schedule, stockPerRelease: 1, validity: .endOfClaimDay, eligibility: EligibilityRule(),
            merchantCategories: ["987654321987"])
        #expect(GrantAnswer(pool: odd, window: window, programme: TestProgramme.programme([odd])) == nil)
    }
}

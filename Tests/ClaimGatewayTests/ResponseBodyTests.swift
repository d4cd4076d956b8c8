import ClaimAuth
import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

@Suite struct ResponseBodyTests {
    let pool = TestProgramme.dailyPool(id: "appliance-500", stock: 10)
    let cal = CityCalendar.shenyang
    var programme: Programme { TestProgramme.programme([pool]) }
    let now = TestProgramme.releaseInstant

    func json(_ r: GatewayResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
    }

    /// Issue "Residents and SREs": `opens_at` came twice, an upcoming window showed `left: 0`,
    /// and nothing said the gateway's time to count down against.
    @Test func progressOfAnUpcomingWindowShowsItsStockOnceItsOpeningAndTheServerTime() throws {
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: cal))
        let early = now.adding(milliseconds: -5000)
        let body = json(
            ResponseBody.progress(pool: pool, position: .upcoming(w), counts: nil, calendar: cal, now: early))
        #expect(body["opens_at"] == nil)
        #expect((body["window"] as? [String: Any])?["opens_at"] as? String == "2022-06-10T10:00:00.000+08:00")
        #expect(body["left"] as? Int == 10)
        #expect(body["stock_released"] as? Bool == false)
        #expect(body["server_time"] as? String == "2022-06-10T09:59:55.000+08:00")
        let ended = json(ResponseBody.progress(pool: pool, position: .ended, counts: nil, calendar: cal, now: early))
        #expect(ended["left"] as? Int == 0)
        let open = json(
            ResponseBody.progress(pool: pool, position: .open(w), counts: (10, 3, 7), calendar: cal, now: now))
        #expect(open["left"] as? Int == 3)
    }

    @Test func everyRefusalIsAJSONErrorWithItsStatus() {
        let cases: [(ClaimOutcome, Int, String)] = [
            (.soldOut, 409, "sold_out"), (.limitReached, 409, "limit_reached"), (.closed, 409, "closed"),
            (.notOpen(opensAt: now), 409, "not_open"), (.notEligible(.cardPrefix), 403, "not_eligible"),
        ]
        for (outcome, status, code) in cases {
            let r = ResponseBody.claim(outcome, pool: pool, programme: programme, now: now)
            #expect(r.status == status)
            #expect(json(r)["error"] as? String == code)
            #expect((json(r)["message"] as? String)?.isEmpty == false)
        }
        #expect(
            json(ResponseBody.claim(.notOpen(opensAt: now), pool: pool, programme: programme, now: now))["opens_at"]
                as? String
                == "2022-06-10T10:00:00.000+08:00")
        #expect(
            json(ResponseBody.claim(.notEligible(.cardPrefix), pool: pool, programme: programme, now: now))["reason"]
                as? String == "card_prefix")
    }

    @Test func aGrantShowsTheVoucherAndWhereItIsAccepted() {
        let v = Voucher(
            id: "appliance-500:2022-06-10:7", pool: "appliance-500", window: "2022-06-10", owner: "u1", faceFen: 50000,
            thresholdFen: 500000, claimedAt: now, expiresAt: now.adding(milliseconds: 14 * 3_600_000))
        let r = ResponseBody.claim(.granted([v], left: 3, replayed: false), pool: pool, programme: programme, now: now)
        #expect(r.status == 201)
        let voucher = json(r)["voucher"] as? [String: Any]
        #expect(voucher?["id"] as? String == v.id)
        #expect(voucher?["state"] as? String == "usable")
        #expect(voucher?["expires_at"] as? String == "2022-06-11T00:00:00.000+08:00")
        #expect(voucher?["merchant_categories"] as? [String] == ["appliance-telecom-electronics"])
        #expect(voucher?["pool_name"] as? String == pool.name)
        #expect(voucher?["store"] == nil)
        #expect(json(r)["left"] as? Int == 3)
        #expect(
            ResponseBody.claim(.granted([v], left: 3, replayed: true), pool: pool, programme: programme, now: now)
                .status
                == 200)
    }
}

extension ResponseBodyTests {
    /// Issue "Residents and SREs": vouchers carried no pool, store or category names, and
    /// `sold_out` did not say when the next release opens.
    @Test func aVoucherCarriesTheNamesAnAppShows() {
        let v = Voucher(
            id: "appliance-500:2022-06-10:7", pool: "appliance-500", window: "2022-06-10", owner: "u1", faceFen: 50000,
            thresholdFen: 500000, claimedAt: now, expiresAt: now.adding(milliseconds: 14 * 3_600_000),
            store: "store-1")
        let voucher =
            json(
                ResponseBody.claim(.granted([v], left: 3, replayed: false), pool: pool, programme: programme, now: now))[
                "voucher"] as? [String: Any]
        #expect(voucher?["pool_name"] as? String == "test appliance-500")
        #expect(voucher?["store"] as? String == "store-1")
        #expect(voucher?["store_name"] as? String == "Store One, Test Street")
        #expect(voucher?["merchant_category_names"] as? [String] == ["Appliances, telecom and electronics"])
    }

    @Test func soldOutSaysWhenTheNextReleaseOpens() {
        let body = json(
            ResponseBody.claim(.soldOut, pool: pool, programme: programme, now: now.adding(milliseconds: 1000)))
        #expect(body["next_opens_at"] as? String == "2022-06-11T10:00:00.000+08:00")
        let lastDay = TestProgramme.calendar.instant(
            on: CivilDate(year: 2022, month: 6, day: 30)!, at: TimeOfDay(hour: 11, minute: 0)!)
        let last = json(ResponseBody.claim(.soldOut, pool: pool, programme: programme, now: lastDay))
        #expect(last.keys.contains("next_opens_at") && last["next_opens_at"] is NSNull)
    }
}

@Suite struct PartsAnswerTests {
    @Test func answersOnceAfterTheLastReply() {
        var p = PartsAnswer(parts: 3)
        let answers = [p.replied(), p.replied(), p.replied()]
        #expect(answers == [false, false, true])
    }

    @Test func answersTheFirstFailureAndNothingAfter() {
        var p = PartsAnswer(parts: 3)
        let answers = [p.replied(), p.failed(), p.failed()]
        #expect(answers == [false, true, false])
        var q = PartsAnswer(parts: 2)
        let others = [q.failed(), q.replied()]
        #expect(others == [true, false])
    }
}

/// Every error code and token refusal the gateway can answer is documented where clients read
/// them: the payment codes' refusals were missing from docs/openapi.yaml's enum when they were
/// added, and nothing noticed.
@Suite struct ErrorDocumentationTests {
    func document(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func everyErrorCodeIsInTheSchemaAndTheGuide() throws {
        let openapi = try document("docs/openapi.yaml")
        let guide = try document("docs/api.md")
        for code in APIError.allCases.map(\.rawValue) + RedemptionRefusal.allCases.map(\.rawValue) {
            #expect(openapi.contains("            - \(code)\n"), "\(code) is not in openapi.yaml's Error enum")
            #expect(guide.contains("`\(code)`"), "\(code) is not in docs/api.md")
        }
    }

    @Test func everyTokenRefusalIsInTheGuide() throws {
        let guide = try document("docs/api.md")
        let refusals: [TokenError] = [
            .missing, .tooLong, .malformed, .unsupportedAlgorithm, .wrongAlgorithm, .missingKeyID, .badSignature,
            .expired, .notYetValid, .unknownKey,
        ]
        for r in refusals { #expect(guide.contains("`\(r.reason)`"), "\(r.reason) is not in docs/api.md") }
    }
}

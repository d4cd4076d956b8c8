import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// The programme's rules end to end: automatic opening, in-store QR claims, redemption and
/// reversal by merchants, the wallet's states.
@Suite struct GatewayRulesTests {
    let redis: TestRedis
    let pool: Pool
    let programme: Programme
    let clock = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 3_600_000))

    init() throws {
        redis = try TestRedis.get()
        pool = TestProgramme.dailyPool(stock: 5, autoOpen: true, storeQR: true, useLimit: 1)
        programme = TestProgramme.programme([pool])
    }

    func claim(_ c: TestHTTPClient, _ g: GatewayHarness, _ person: String, qr: String?) throws -> HTTPResponse {
        let body = qr.map { #"{"store_qr":"\#($0)"}"# } ?? ""
        return try c.request(
            "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token(person))"], body: body)
    }

    @Test func inStoreClaimsNeedTodaysQRCodeAndOpenTheWindowThemselves() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        #expect(try claim(c, g, "u1", qr: nil).json["reason"] as? String == "store_qr_required")
        #expect(try claim(c, g, "u1", qr: "forged.qr.code").json["reason"] as? String == "store_qr_invalid")
        #expect(
            try claim(c, g, "u1", qr: g.storeQR("store-9", day: "2022-06-10")).json["reason"] as? String
                == "unknown_store")
        #expect(
            try claim(c, g, "u1", qr: g.storeQR("store-1", day: "2022-06-09")).json["reason"] as? String
                == "store_qr_other_day")
        // A resident's own token is not a QR code.
        #expect(try claim(c, g, "u1", qr: g.token("u1")).json["reason"] as? String == "store_qr_invalid")
        // Before any claim the window is open but untouched: progress shows the quota.
        #expect(try c.request("GET", "/v1/pools/\(pool.id)").json["left"] as? Int == 5)
        let ok = try claim(c, g, "u1", qr: g.storeQR("store-1", day: "2022-06-10"))
        #expect(ok.status == 201)
        #expect((ok.json["voucher"] as? [String: Any])?["store"] as? String == "store-1")
        #expect(try c.request("GET", "/v1/pools/\(pool.id)").json["left"] as? Int == 4)
        #expect(try ProgrammeStore(client: redis.client()).windows(pool: pool.id) == ["2022-06-10"])
    }

    /// A fresh grant is answered from the window's template, not from the record the script
    /// stored; the wallet reads that record, and must show the very same voucher.
    @Test func theGrantAnswerAndTheWalletShowTheSameVoucher() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let granted = try claim(c, g, "w1", qr: g.storeQR("store-2", day: "2022-06-10"))
        #expect(granted.status == 201)
        let wallet = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token("w1"))"])
        let answered = granted.json["voucher"] as? NSDictionary
        let stored = (wallet.json["vouchers"] as? [Any])?.first as? NSDictionary
        #expect(answered != nil)
        #expect(answered == stored)
    }

    @Test func merchantsRedeemAndReverseAndTheWalletFollows() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let claimed = try claim(c, g, "payer", qr: g.storeQR("store-2", day: "2022-06-10"))
        let voucher = try #require((claimed.json["voucher"] as? [String: Any])?["id"] as? String)
        let till = ["Authorization": "Bearer \(g.merchantToken("m-1", categories: ["appliance-telecom-electronics"]))"]
        func redeem(_ order: String, amount: Int = 600_000, payer: String = "payer", headers: [String: String]? = nil)
            throws -> HTTPResponse
        {
            try c.request(
                "POST", "/v1/redemptions", headers: headers ?? till,
                body:
                    #"{"voucher":"\#(voucher)","order":"\#(order)","amount_fen":\#(amount),"payment_code":"\#(g.token(payer))"}"#
            )
        }
        let restaurant = ["Authorization": "Bearer \(g.merchantToken("m-2", categories: ["restaurant"]))"]
        #expect(try redeem("o-0", headers: restaurant).json["error"] as? String == "out_of_scope")
        #expect(try redeem("o-0", headers: ["Authorization": "Bearer \(g.token("payer"))"]).status == 401)
        #expect(try redeem("o-0", payer: "thief").json["error"] as? String == "not_owner")
        let short = try redeem("o-0", amount: 100)
        #expect(short.json["error"] as? String == "below_threshold")
        #expect(short.json["threshold_fen"] as? Int == pool.thresholdFen)
        let paid = try redeem("o-1")
        #expect(paid.status == 200)
        #expect(paid.json["discount_fen"] as? Int == 50000)
        #expect(paid.json["due_fen"] as? Int == 550_000)
        #expect(try redeem("o-1").json["replayed"] as? Bool == true)
        // A replay is the first answer exactly (not the retry's amount), and only to the payer.
        let retried = try redeem("o-1", amount: 900_000)
        #expect(retried.json["amount_fen"] as? Int == 600_000)
        #expect(retried.json["due_fen"] as? Int == 550_000)
        #expect(try redeem("o-1", payer: "thief").json["error"] as? String == "not_owner")
        #expect(try redeem("o-2").json["error"] as? String == "already_used")
        let wallet = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token("payer"))"])
        let entry = (wallet.json["vouchers"] as? [[String: Any]])?.first
        #expect(entry?["state"] as? String == "used")
        #expect((entry?["redemption"] as? [String: Any])?["order"] as? String == "o-1")

        let reversed = try c.request(
            "POST", "/v1/redemptions/o-1/reverse", headers: till, body: #"{"voucher":"\#(voucher)"}"#)
        #expect(reversed.status == 200)
        #expect(reversed.json["replayed"] as? Bool == false)
        #expect(
            try c.request("POST", "/v1/redemptions/o-1/reverse", headers: till, body: #"{"voucher":"\#(voucher)"}"#)
                .json["replayed"] as? Bool == true)
        #expect(
            try c.request("POST", "/v1/redemptions/o-9/reverse", headers: till, body: #"{"voucher":"\#(voucher)"}"#)
                .status == 404)
        let again = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token("payer"))"])
        #expect((again.json["vouchers"] as? [[String: Any]])?.first?["state"] as? String == "usable")
        #expect(try c.request("POST", "/v1/redemptions", headers: till, body: "{}").status == 400)
    }
}

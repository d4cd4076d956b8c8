import ClaimAuth
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

    /// A gateway holds only the operators' public key for store QR codes: a code made from its
    /// bytes (HS256 "signed" with them, with the key's kid or without) or signed by the identity
    /// provider is refused, and the genuine code passes.
    @Test func aGatewayCannotMintAStoreQRCode() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let payload = StoreQRCode(store: "store-1", day: CivilDate("2022-06-10")!).payload()
        let key = GatewayHarness.storeQRKey.publicKey
        let ring = try TokenKeyring(keys: [("operators", key.material)], signingKeyID: "operators")
        for forged in [
            TokenSigner(secret: key.material).sign(payload: payload), TokenSigner(keyring: ring).sign(payload: payload),
            g.signer.sign(payload: payload),
        ] {
            #expect(try claim(c, g, "m1", qr: forged).json["reason"] as? String == "store_qr_invalid")
        }
        #expect(try claim(c, g, "m1", qr: g.storeQR("store-1", day: "2022-06-10")).status == 201)
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
        let code = try g.paymentCode(c, "payer", voucher: voucher)
        func redeem(_ order: String, amount: Int = 600_000, code: String? = nil, headers: [String: String]? = nil)
            throws -> HTTPResponse
        {
            try c.request(
                "POST", "/v1/redemptions", headers: headers ?? till,
                body:
                    #"{"voucher":"\#(voucher)","order":"\#(order)","amount_fen":\#(amount),"payment_code":"\#(code ?? "")"}"#
            )
        }
        let restaurant = ["Authorization": "Bearer \(g.merchantToken("m-2", categories: ["restaurant"]))"]
        #expect(try redeem("o-0", code: code, headers: restaurant).json["error"] as? String == "out_of_scope")
        #expect(try redeem("o-0", code: code, headers: ["Authorization": "Bearer \(g.token("payer"))"]).status == 401)
        let short = try redeem("o-0", amount: 100, code: code)
        #expect(short.json["error"] as? String == "below_threshold")
        #expect(short.json["threshold_fen"] as? Int == pool.thresholdFen)
        let paid = try redeem("o-1", code: code)
        #expect(paid.status == 200)
        #expect(paid.json["discount_fen"] as? Int == 50000)
        #expect(paid.json["due_fen"] as? Int == 550_000)
        #expect(try redeem("o-1", code: code).json["replayed"] as? Bool == true)
        // A replay is the first answer exactly (not the retry's amount).
        let retried = try redeem("o-1", amount: 900_000, code: code)
        #expect(retried.json["amount_fen"] as? Int == 600_000)
        #expect(retried.json["due_fen"] as? Int == 550_000)
        #expect(try redeem("o-2", code: code).json["error"] as? String == "payment_code_used")
        let wallet = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token("payer"))"])
        let entry = (wallet.json["vouchers"] as? [[String: Any]])?.first
        #expect(entry?["state"] as? String == "used")
        #expect((entry?["redemption"] as? [String: Any])?["order"] as? String == "o-1")
        // A used voucher gets no new code.
        let refused = try c.request(
            "POST", "/v1/me/payment-codes", headers: ["Authorization": "Bearer \(g.token("payer"))"],
            body: #"{"voucher":"\#(voucher)"}"#)
        #expect(refused.status == 409)
        #expect(refused.json["error"] as? String == "already_used")

        // Another merchant cannot reverse this merchant's order: it is not theirs to find.
        #expect(
            try c.request(
                "POST", "/v1/redemptions/o-1/reverse", headers: restaurant, body: #"{"voucher":"\#(voucher)"}"#
            ).json["error"] as? String == "unknown_order")
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

    /// Issue "Identity as a city runs it": the payment code was the payer's bearer token, so the
    /// merchant who scanned it could read her wallet, claim as her and pay with her vouchers on
    /// orders it made up. A code pays once, for the voucher and merchant it names, and is
    /// nothing else: not a bearer token, and a bearer token is not a code.
    @Test func aMerchantHoldingAPaymentCodeCannotActAsTheResident() throws {
        let g = try GatewayHarness(programme: programme, clock: clock, redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        let qr = g.storeQR("store-2", day: "2022-06-10")
        let first = try claim(c, g, "alice", qr: qr)
        let voucher = try #require((first.json["voucher"] as? [String: Any])?["id"] as? String)
        let till = [
            "Authorization": "Bearer \(g.merchantToken("shop-1", categories: ["appliance-telecom-electronics"]))"
        ]
        let other = [
            "Authorization": "Bearer \(g.merchantToken("shop-2", categories: ["appliance-telecom-electronics"]))"
        ]
        func redeem(_ code: String, order: String, headers: [String: String]) throws -> HTTPResponse {
            try c.request(
                "POST", "/v1/redemptions", headers: headers,
                body: #"{"voucher":"\#(voucher)","order":"\#(order)","amount_fen":600000,"payment_code":"\#(code)"}"#)
        }
        // Her bearer token at the till is refused for what it is, and changes nothing.
        let asToken = try redeem(g.token("alice"), order: "t-0", headers: till)
        #expect(asToken.status == 400)
        #expect((asToken.json["message"] as? String)?.contains("not a token") == true)
        // A code bound to shop-1 does not pay at shop-2; it then pays at shop-1, once.
        let code = try g.paymentCode(c, "alice", voucher: voucher, merchant: "shop-1")
        #expect(code.count == 22)
        #expect(
            try redeem(code, order: "t-1", headers: other).json["error"] as? String == "payment_code_other_merchant")
        #expect(try redeem(code, order: "t-1", headers: till).status == 200)
        #expect(try redeem(code, order: "t-2", headers: till).json["error"] as? String == "payment_code_used")
        // What the merchant holds reads no wallet and claims nothing.
        let asBearer = ["Authorization": "Bearer \(code)"]
        #expect(try c.request("GET", "/v1/me/vouchers", headers: asBearer).status == 401)
        #expect(try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: asBearer, body: "").status == 401)
        #expect(try c.request("POST", "/v1/me/payment-codes", headers: asBearer, body: "{}").status == 401)
        // Nobody gets a code for someone else's voucher; unknown vouchers and bad bodies are named.
        func ask(_ person: String, _ body: String) throws -> HTTPResponse {
            try c.request(
                "POST", "/v1/me/payment-codes", headers: ["Authorization": "Bearer \(g.token(person))"], body: body)
        }
        let mallory = try ask("mallory", #"{"voucher":"\#(voucher)"}"#)
        #expect(mallory.status == 403)
        #expect(mallory.json["error"] as? String == "not_owner")
        #expect(try ask("alice", #"{"voucher":"nope"}"#).json["error"] as? String == "unknown_voucher")
        #expect(try ask("alice", #"{"voucher":"\#(pool.id):2022-06-10:999"}"#).status == 404)
        #expect(try ask("alice", "{}").status == 400)
        #expect(try ask("alice", #"{"voucher":"\#(voucher)","merchant":"a b"}"#).status == 400)
        // The wallet shows one use, at shop-1, on the one order.
        let wallet = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token("alice"))"])
        let entry = (wallet.json["vouchers"] as? [[String: Any]])?.first
        #expect((entry?["redemption"] as? [String: Any])?["merchant"] as? String == "shop-1")
        #expect((entry?["redemption"] as? [String: Any])?["order"] as? String == "t-1")
    }
}

import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// The operators' store QR keys reloaded while the gateway serves (`--store-qr-jwks` followed
/// like the token JWKS): a new key's codes are accepted once published, a removed key's codes
/// refused from the next claim, though the loop had checked and remembered them, and the token
/// keys' cache is left alone. Before, the store QR keys were read at start only: a rotation
/// needed a restart.
@Suite struct GatewayStoreQRReloadTests {
    @Test func aReloadAddsAndRemovesStoreQRKeysWithoutDroppingTheConnection() throws {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 50, limit: 10, autoOpen: true, storeQR: true, useLimit: 1)
        let old = GatewayHarness.storeQRKey
        let next = try TokenSigningKey.generate(.es256, id: "operators-next")
        let box = TokenKeysBox(GatewayHarness.keys, storeQR: TokenKeySet(keys: [old.publicKey]))
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]),
            clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 3_600_000)), redis: redis.endpoint
        ) {
            $0.tokenKeysBox = box
        }
        defer { #expect(g.stop()) }
        let c = try g.client()
        func code(_ key: TokenSigningKey) -> String {
            TokenSigner(privateKey: key).sign(
                payload: StoreQRCode(store: "store-1", day: CivilDate("2022-06-10")!).payload())
        }
        // One resident throughout: their token is verified once, and a store QR reload must
        // not empty the loop's cache of verified tokens.
        let resident = g.token("r1")
        func claim(_ qr: String) throws -> HTTPResponse {
            try c.request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(resident)"],
                body: #"{"store_qr":"\#(qr)"}"#)
        }
        func eventually(_ qr: String, _ expected: Int) throws -> Bool {
            for _ in 0..<100 {
                if try claim(qr).status == expected { return true }
                usleep(10_000)
            }
            return false
        }
        // The old key's code is checked once and remembered; the next key is not known yet.
        #expect(try claim(code(old)).status == 201)
        #expect(try claim(code(next)).json["reason"] as? String == "store_qr_invalid")
        box.publish(storeQR: TokenKeySet(keys: [old.publicKey, next.publicKey]))
        #expect(try eventually(code(next), 201))
        #expect(try claim(code(old)).status == 201)
        // The old key out: its code, remembered before, is refused; the connection serves on.
        box.publish(storeQR: TokenKeySet(keys: [next.publicKey]))
        #expect(try eventually(code(old), 403))
        #expect(try claim(code(old)).json["reason"] as? String == "store_qr_invalid")
        #expect(try claim(code(next)).status == 201)
        // The token keys did not change: the resident's token was verified once, then cached.
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains(#"claimgate_token_checks_total{result="verified"} 1"#))
        #expect(box.current.tokensGeneration == 0 && box.current.storeQRGeneration == 2)
    }
}

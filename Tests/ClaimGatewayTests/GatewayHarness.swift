import ClaimAuth
import ClaimCore
import ClaimGateway
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Foundation

/// A real gateway on a loopback port, on its own thread, for end-to-end tests.
final class GatewayHarness {
    /// The identity provider's key for this test process: tokens are EdDSA, as served.
    // swift-format-ignore: NeverUseForceTry
    static let signingKey = try! TokenSigningKey.generate(.edDSA, id: "harness")
    static var keys: TokenKeySet { TokenKeySet(keys: [signingKey.publicKey]) }
    /// The operators' own key for store QR codes: the gateway holds only its public half.
    // swift-format-ignore: NeverUseForceTry
    static let storeQRKey = try! TokenSigningKey.generate(.es256, id: "operators")
    let port: Int
    private let stopSignal: WakeupSignal
    private let finished = DispatchSemaphore(value: 0)
    let signer = TokenSigner(privateKey: GatewayHarness.signingKey)

    init(
        programme: Programme, clock: any ClaimClock, redis: RedisEndpoint,
        tune: (inout GatewayConfig) -> Void = { _ in }
    ) throws {
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        port = TCPSocket.localPort(listener)
        stopSignal = try WakeupSignal()
        var config = GatewayConfig(
            listener: listener, redis: redis, programme: programme, tokenKeys: Self.keys, clock: clock,
            stopDescriptors: [stopSignal.fd])
        config.redisReconnectMilliseconds = 100
        config.storeQRKeys = TokenKeySet(keys: [Self.storeQRKey.publicKey])
        // Tests claim fast from one person: abuse limits only where a test asks for them.
        config.personRate = nil
        // Tests read progress right after changing it: every poll reads Redis unless a test
        // sets the refresh interval itself (`GatewayProgressTests`).
        config.progressRefreshMilliseconds = 0
        tune(&config)
        let done = finished
        let settings = config
        Thread {
            do {
                let server = try GatewayServer(config: settings)
                try server.run()
            } catch {
                FileHandle.standardError.write(Data("gateway failed: \(error)\n".utf8))
            }
            done.signal()
        }.start()
        // Redis is usable once the link has checked its settings (a round trip after the
        // connect): wait for it, up to a second, so tests start from a ready gateway. A test
        // whose Redis is down on purpose goes on after the second.
        for _ in 0..<100 {
            let probe = try? TestHTTPClient(port: port)
            if (try? probe?.request("GET", "/healthz"))?.status == 200 {
                // Closed, and given the gateway time to see it: a test of per-address caps counts.
                _ = consume probe
                usleep(30_000)
                break
            }
            usleep(10_000)
        }
    }

    /// Stops the gateway gracefully; true if it returned within 5 s.
    func stop() -> Bool {
        stopSignal.fire()
        return finished.wait(timeout: .now() + 5) == .success
    }

    func token(_ person: String, region: String = "210100") -> String {
        signer.sign(
            PersonToken(
                person: person,
                facts: EligibilityFacts(region: region, realName: true, cardPrefix: "62", account: .individual),
                expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)))
    }

    func client() throws -> TestHTTPClient { try TestHTTPClient(port: port) }

    /// A claim by `person` on `pool` over `c`, with their token.
    func claim(_ c: TestHTTPClient, _ pool: Pool, _ person: String) throws -> HTTPResponse {
        try c.request("POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(token(person))"])
    }

    func merchantToken(_ merchant: String, categories: [String]) -> String {
        signer.sign(
            payload: MerchantToken(
                merchant: merchant, categories: categories, expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)
            )
            .payload())
    }

    /// `person`'s single-use payment code for `voucher` (optionally for one merchant), asked for
    /// over `c` as their app does; the answer when it is not 201.
    func paymentCode(_ c: TestHTTPClient, _ person: String, voucher: String, merchant: String? = nil) throws -> String {
        let bound = merchant.map { #","merchant":"\#($0)""# } ?? ""
        let answer = try c.request(
            "POST", "/v1/me/payment-codes", headers: ["Authorization": "Bearer \(token(person))"],
            body: #"{"voucher":"\#(voucher)"\#(bound)}"#)
        guard answer.status == 201, let code = answer.json["payment_code"] as? String else {
            throw TestHTTPError("no payment code: \(answer.status) \(answer.text)")
        }
        return code
    }

    func storeQR(_ store: String, day: String) -> String {
        TokenSigner(privateKey: Self.storeQRKey).sign(
            payload: StoreQRCode(store: store, day: CivilDate(day)!).payload())
    }
}

/// Resident tokens signed with the harness's secret, for tests that run loops of their own.
enum GatewayHarnessTokens {
    static func token(_ person: String) -> String {
        TokenSigner(privateKey: GatewayHarness.signingKey).sign(
            PersonToken(
                person: person,
                facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)))
    }
}

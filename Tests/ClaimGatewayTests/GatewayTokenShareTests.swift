import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// A resident's retap that comes in on a connection of another loop (a new connection, a phone
/// behind a balancer) was verified again there: with public-key tokens, a second signature check
/// of 38 us (ES256) for a person the gateway had already verified. The loops now hand each
/// other the tokens they verify.
@Suite struct GatewayTokenShareTests {
    func run(share: Bool, taps: Int = 24) throws -> [String: Int] {
        let redis = try TestRedis.get()
        let pool = TestProgramme.dailyPool(stock: 100, limit: 1, autoOpen: true)
        var template = GatewayConfig(
            listener: -1, redis: redis.endpoint, programme: TestProgramme.programme([pool]),
            tokenKeys: GatewayHarness.keys, clock: FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1)),
            stopDescriptors: [])
        template.shareTokens = share
        template.personRate = nil
        let loops = try GatewayLoops(count: 2, host: "127.0.0.1", port: 0, template: template)
        defer {
            loops.stop()
            #expect(loops.wait(timeout: 5) == 0)
        }
        // A person of this run only (the shared test Redis keeps earlier runs' grants).
        let token = GatewayHarnessTokens.token("share-\(UUID().uuidString.prefix(8))")
        var answers: [String] = []
        // Each tap on a new connection: the kernel spreads them over both loops (that 24 all
        // reach one of two loops is one chance in 8 million).
        for _ in 0..<taps {
            let r = try TestHTTPClient(port: loops.port).request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(token)"])
            answers.append(r.status == 201 ? "granted" : r.json["error"] as? String ?? "\(r.status)")
        }
        #expect(answers.first == "granted" || taps == 0)
        #expect(answers.dropFirst().allSatisfy { $0 == "limit_reached" }, "\(answers)")
        // Requests that read no token, each on a new connection: both loops run an iteration.
        for _ in 0..<24 { _ = try TestHTTPClient(port: loops.port).request("GET", "/healthz") }
        return try checks(port: loops.port)
    }

    func checks(port: Int) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for line in try TestHTTPClient(port: port).request("GET", "/metrics").text.split(separator: "\n")
        where line.hasPrefix("claimgate_token_checks_total{result=\"") {
            let parts = line.dropFirst(37).split(separator: "\"")
            if parts.count == 2, let n = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "} "))) {
                out[String(parts[0])] = n
            }
        }
        return out
    }

    @Test func aRetapOnTheOtherLoopIsNotVerifiedAgain() throws {
        let seen = try run(share: true)
        // One signature check for the person's 24 taps, whichever loop each reached.
        #expect(seen["verified"] == 1)
        #expect(seen["shared"] == 1)
        #expect(seen["cached"] == 23)
    }

    @Test func withoutSharingEachLoopVerifiesThePersonItself() throws {
        let seen = try run(share: false)
        #expect(seen["verified"] == 2)
        #expect(seen["shared", default: 0] == 0)
        #expect(seen["cached"] == 22)
    }

    /// Tokens verified ahead before an opening reach the other loop while it answers `not_open`
    /// without reading tokens: a loop takes what the others posted between requests too.
    @Test func aVerifiedTokenReachesTheOtherLoopWithoutATapThere() throws {
        let seen = try run(share: true, taps: 1)
        #expect(seen["verified"] == 1)
        #expect(seen["shared"] == 1)
    }
}

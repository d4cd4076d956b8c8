import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// A pool split into segments, end to end: people spread over segments, a segment can sell
/// out before the others (the tail), progress sums the segments, wallets find their voucher.
@Suite struct GatewaySegmentTests {
    let redis: TestRedis
    let pool = TestProgramme.dailyPool(stock: 9, autoOpen: true, segments: 3)
    let now = TestProgramme.releaseInstant.adding(milliseconds: 1)

    init() throws { redis = try TestRedis.get() }

    @Test func segmentsSellOutOneByOneAndProgressSumsThem() throws {
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: FixedClock(now), redis: redis.endpoint)
        defer { #expect(g.stop()) }
        let c = try g.client()
        func claim(_ person: String) throws -> HTTPResponse {
            try c.request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token(person))"])
        }
        // People of segment 0 only: its share (3) goes, then they are told sold_out while the
        // other segments still hold 6.
        let zeros = (0..<200).map { "p\($0)" }.filter { pool.segment(of: $0).index == 0 }
        var granted: [String] = []
        for p in zeros.prefix(5) {
            let r = try claim(p)
            if r.status == 201, let id = (r.json["voucher"] as? [String: Any])?["id"] as? String { granted.append(id) }
        }
        #expect(granted.count == 3)
        #expect(granted.allSatisfy { $0.hasPrefix("\(pool.id).s0:2022-06-10:") })
        #expect(try claim(zeros[6]).json["error"] as? String == "sold_out")
        let others = (0..<200).map { "q\($0)" }.first { pool.segment(of: $0).index != 0 }!
        #expect(try claim(others).status == 201)
        let progress = try c.request("GET", "/v1/pools/\(pool.id)")
        #expect(progress.json["released"] as? Int == 9)
        #expect(progress.json["granted"] as? Int == 4)
        #expect(progress.json["left"] as? Int == 5)
        // The wallet finds a segment's voucher; so does the merchant's redemption path's id.
        let wallet = try c.request("GET", "/v1/me/vouchers", headers: ["Authorization": "Bearer \(g.token(zeros[0]))"])
        let ids = (wallet.json["vouchers"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == [granted[0]])
        #expect(TestProgramme.programme([pool]).segment(storageID: "\(pool.id).s0")?.index == 0)
    }
}

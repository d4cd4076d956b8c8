import ClaimCore
import ClaimHTTP
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimGateway

/// How claim batches go to Redis while one is at the node.
@Suite struct GatewayBatchingTests {
    let duringRelease = FixedClock(TestProgramme.releaseInstant.adding(milliseconds: 1))

    /// `claimgate_redis_claims_per_call_count`: claim.lua calls sent so far.
    func callsSent(_ g: GatewayHarness) throws -> Int {
        let text = try g.client().request("GET", "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("claimgate_redis_claims_per_call_count") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? -1
    }

    /// A partly filled batch waits for the reply ahead of it and grows; a full one has nothing to
    /// gain and goes at once (up to `ClaimBatcher.maxBatchesInFlight`). With one batch per round
    /// trip, a loop with more than 64 claims waiting on a Redis that fsyncs before each reply
    /// (`appendfsync always`) granted at most 64 per fsync.
    @Test func fullBatchesGoWhileAnotherIsAtTheNode() throws {
        let redis = try TestRedis.isolated()
        let pool = TestProgramme.dailyPool(stock: 1000, autoOpen: true)
        let g = try GatewayHarness(
            programme: TestProgramme.programme([pool]), clock: duringRelease, redis: redis.endpoint
        ) { $0.redisTimeoutMilliseconds = 10_000 }
        defer { #expect(g.stop()) }
        let first = try g.client()
        // The script cached and the window released before Redis is made busy.
        #expect(
            try first.request(
                "POST", "/v1/pools/\(pool.id)/claims", headers: ["Authorization": "Bearer \(g.token("w0"))"]
            )
            .status == 201)
        let done = redis.busy(milliseconds: 1500)
        // One claim at the node (stuck behind the busy script), then three full batches' worth.
        try first.send(Self.claims(pool: pool.id, people: ["w1"], g))
        for _ in 0..<100 where try callsSent(g) < 2 { usleep(5000) }
        let clients = try (0..<3).map { _ in try g.client() }
        for (i, c) in clients.enumerated() {
            try c.send(Self.claims(pool: pool.id, people: (0..<64).map { "p\(i)-\($0)" }, g))
        }
        var sent = 0
        for _ in 0..<100 {
            sent = try callsSent(g)
            if sent >= 5 { break }
            usleep(5000)
        }
        #expect(sent == 5, "the first, the stuck one, and three full batches while Redis is busy")
        #expect(done.wait(timeout: .now() + 10) == .success)
        // Redis 7 runs the calls that queued behind the script: every claim granted. Valkey 9
        // answers them BUSY (not run): 503, nothing granted. Either way the answers and the
        // store agree.
        var granted = 0
        for c in [first] + clients {
            for _ in 0..<(c === first ? 1 : 64) {
                let r = try c.response()
                #expect(r.status == 201 || r.json["error"] as? String == "redis_unavailable", "\(r.status) \(r.text)")
                if r.status == 201 { granted += 1 }
            }
        }
        let left = try g.client().request("GET", "/v1/pools/\(pool.id)").json["left"] as? Int
        #expect(left == 1000 - 1 - granted)
    }

    /// Pipelined claim requests, one per person.
    static func claims(pool: String, people: [String], _ g: GatewayHarness) -> String {
        people.map {
            "POST /v1/pools/\(pool)/claims HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(g.token($0))\r\n"
                + "Content-Length: 0\r\n\r\n"
        }.joined()
    }
}

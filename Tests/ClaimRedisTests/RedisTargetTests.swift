import Testing

@testable import ClaimRedis

@Suite struct RedisTargetTests {
    @Test func readsSingleAndClusterURLs() {
        #expect(RedisTarget(url: "redis://127.0.0.1:7000") == .single(RedisEndpoint(host: "127.0.0.1", port: 7000)))
        let c = RedisTarget(url: "redis+cluster://op@127.0.0.1:7000,localhost:7001")
        #expect(
            c
                == .cluster([
                    RedisEndpoint(host: "127.0.0.1", port: 7000, username: "op"),
                    RedisEndpoint(host: "127.0.0.1", port: 7001, username: "op"),
                ]))
        #expect(c?.description == "redis+cluster://op@127.0.0.1:7000,127.0.0.1:7001")
        #expect(c?.with(password: "pw").first.password == "pw")
        for bad in ["redis+cluster://", "redis+cluster://a:1,", "redis+cluster://a:1/2", "redis+cluster://a:99999"] {
            #expect(RedisTarget(url: bad) == nil, "\(bad)")
        }
    }
}

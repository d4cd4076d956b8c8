import Testing

@testable import ClaimRedis

@Suite struct RedisEndpointTests {
    @Test func parsesURLs() {
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6390") == RedisEndpoint(host: "127.0.0.1", port: 6390))
        #expect(RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "127.0.0.1", port: 6379))
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6379/2")?.database == 2)
    }

    @Test func refusesOthers() {
        for bad in ["http://x:1", "redis://", "redis://h:0", "redis://h:70000", "redis://h:1/x", "redis://h:1/16"] {
            #expect(RedisEndpoint(url: bad) == nil, "\(bad)")
        }
    }
}

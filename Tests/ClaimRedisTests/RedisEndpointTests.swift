import Testing

@testable import ClaimRedis

@Suite struct RedisEndpointTests {
    @Test func parsesURLs() {
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6390") == RedisEndpoint(host: "127.0.0.1", port: 6390))
        #expect(RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "127.0.0.1", port: 6379))
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6379/2")?.database == 2)
        let op = RedisEndpoint(url: "redis://operator@127.0.0.1:6390")
        #expect(op?.username == "operator")
        #expect(op?.password == nil)
        #expect(op?.description == "redis://operator@127.0.0.1:6390")
    }

    @Test func authenticatesOnlyWithAPasswordAndNeverPrintsIt() {
        var e = RedisEndpoint(host: "127.0.0.1", port: 1, username: "gateway")
        #expect(e.authCommand == nil)
        e.password = "s3cret"
        #expect(e.authCommand == ["AUTH", "gateway", "s3cret"])
        #expect(!e.description.contains("s3cret"))
        #expect(RedisEndpoint(host: "h", port: 1, password: "p").authCommand == ["AUTH", "p"])
    }

    @Test func refusesOthers() {
        for bad in [
            "http://x:1", "redis://", "redis://h:0", "redis://h:70000", "redis://h:1/x", "redis://h:1/16",
            "redis://u:pw@h:1",
            "redis://@h:1", "redis://a b@h:1",
        ] {
            #expect(RedisEndpoint(url: bad) == nil, "\(bad)")
        }
    }
}

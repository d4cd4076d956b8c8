import Testing

@testable import ClaimRedis

@Suite struct RedisCommandKeyTests {
    @Test func routesByTheFirstKey() {
        func args(_ s: [String]) -> [[UInt8]] { s.map { Array($0.utf8) } }
        #expect(RedisCommandKey.of(args(["EVALSHA", "abc", "2", "k1", "k2", "a"])) == Array("k1".utf8))
        #expect(RedisCommandKey.of(args(["eval", "src", "0", "a"])) == nil)
        #expect(RedisCommandKey.of(args(["HGET", "k", "f"])) == Array("k".utf8))
        #expect(RedisCommandKey.of(args(["CLUSTER", "SLOTS"])) == nil)
        #expect(RedisCommandKey.of(args(["PING"])) == nil)
        #expect(RedisCommandKey.of([]) == nil)
    }
}

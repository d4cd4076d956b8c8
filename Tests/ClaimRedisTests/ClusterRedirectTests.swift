import Testing

@testable import ClaimRedis

@Suite struct ClusterRedirectTests {
    @Test func readsMovedAndAsk() {
        #expect(ClusterRedirect("MOVED 3999 127.0.0.1:6381") != nil)
        let ask = ClusterRedirect("ASK 3999 127.0.0.1:6381")
        #expect(ask?.kind == .ask)
        #expect(ask?.slot == 3999)
        #expect(ask?.port == 6381)
        let seed = RedisEndpoint(host: "h", port: 1, username: "u", password: "p")
        #expect(ask?.endpoint(like: seed) == RedisEndpoint(host: "127.0.0.1", port: 6381, username: "u", password: "p"))
        #expect(ClusterRedirect("MOVED 1 :6381")?.endpoint(like: seed).host == "h")
        for other in ["ERR x", "MOVED", "MOVED x 1:2", "MOVED 16384 h:1", "ASK 1 h:0", "NOSCRIPT 1 h:1"] {
            #expect(ClusterRedirect(other) == nil, "\(other)")
        }
    }
}

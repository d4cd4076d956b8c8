import ClaimTestSupport
import Testing

@testable import ClaimRedis

@Suite struct RedisClientTests {
    /// Operators read whole hashes (a pool's vouchers): their client reads replies far larger
    /// than the gateway's reader allows (found when bench.sh's 10,000-connection run granted
    /// over half a million vouchers and the verdict's HGETALL was refused).
    @Test func operatorsReadRepliesBeyondTheGatewaysBound() throws {
        let client = try TestRedis.get().client()
        let n = RedisReplyReader.maxArrayElements + 10
        let reply = try client.command(["EVAL", "local t = {} for i = 1, \(n) do t[i] = i end return t", "0"])
        #expect(reply.array?.count == n)
        #expect(reply.array?.last == .integer(Int64(n)))
    }
}

import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Testing

@Suite struct RefusingPortTests {
    @Test func aConnectIsRefused() throws {
        let refusing = try RefusingPort()
        let started = ContinuousClock.now
        #expect(throws: (any Error).self) {
            _ = try RedisClient(RedisEndpoint(host: "127.0.0.1", port: refusing.port), timeoutMilliseconds: 5000)
        }
        // Refused, not timed out: nothing is there to complete a handshake.
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func noServerCanListenOnItMeanwhile() throws {
        let refusing = try RefusingPort()
        // As redis-server and the gateway bind: SO_REUSEADDR, then listen.
        #expect(throws: POSIXError.self) { _ = try TCPSocket.listen(host: "127.0.0.1", port: refusing.port) }
    }
}

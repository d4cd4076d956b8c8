import ClaimPOSIX
import ClaimTestSupport
import Testing

@testable import ClaimRedis

@Suite struct RedisPipelineTests {
    /// Drives a pipeline with its own epoll until `count` replies are in (10 s bound).
    func run(_ pipeline: RedisPipeline, expecting count: Int) throws -> [RedisReply] {
        let epoll = try Epoll()
        try epoll.add(pipeline.fd, [.readable, .writable], token: 1)
        var replies: [RedisReply] = []
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        while replies.count < count, MonotonicClock.nanoseconds() < deadline {
            var events: EpollEvents = []
            try epoll.wait(timeoutMilliseconds: 50) { _, e in events = e }
            if events.contains(.writable) { try pipeline.handleWritable() }
            if events.contains(.readable) { try pipeline.handleReadable { replies.append($0.owned()) } }
            try epoll.modify(pipeline.fd, pipeline.wantsWritable ? [.readable, .writable] : .readable, token: 1)
        }
        return replies
    }

    @Test func thousandsOfCommandsInOneWriteComeBackInOrder() throws {
        let endpoint = try TestRedis.get().endpoint
        let key = TestProgramme.uniqueID("pipe")
        let pipeline = RedisPipeline(endpoint: endpoint)
        try pipeline.connect()
        for _ in 0..<5000 { pipeline.enqueue([Array("INCR".utf8), Array(key.utf8)]) }
        let replies = try run(pipeline, expecting: 5000)
        #expect(replies == (1...5000).map { .integer(Int64($0)) })
    }

    @Test func aRefusedConnectionIsReported() throws {
        let refusing = try RefusingPort()
        let pipeline = RedisPipeline(endpoint: RedisEndpoint(host: "127.0.0.1", port: refusing.port))
        #expect(throws: RedisError.self) {
            try pipeline.connect()
            pipeline.enqueue([Array("PING".utf8)])
            _ = try run(pipeline, expecting: 1)
        }
    }
}

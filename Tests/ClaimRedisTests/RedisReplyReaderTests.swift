import Testing

@testable import ClaimRedis

@Suite struct RedisReplyReaderTests {
    @Test func readsEveryReplyTypeEvenOneByteAtATime() throws {
        let wire = Array("+OK\r\n-ERR bad\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n".utf8)
        let reader = RedisReplyReader()
        var replies: [RedisReply] = []
        for b in wire {
            try reader.feed([b])
            while let r = try reader.next() { replies.append(r) }
        }
        #expect(
            replies == [
                .status("OK"), .error("ERR bad"), .integer(42), .bulk(Array("abc".utf8)), .null,
                .array([.bulk([120]), .integer(7)]),
            ])
    }

    @Test func aProtocolErrorIsAnErrorNotACrash() throws {
        let reader = RedisReplyReader()
        try reader.feed(Array("?what\r\n".utf8))
        #expect(throws: RedisError.self) { _ = try reader.next() }
    }

    /// Found by claimfuzz (libFuzzer): hiredis 0.14 allocated 2.4 GB for "*300000000".
    @Test func anArrayCountBeyondTheBoundIsRefusedBeforeAnyAllocation() throws {
        let reader = RedisReplyReader()
        try reader.feed(Array("*300000000\r\n".utf8))
        #expect(throws: RedisError.self) { _ = try reader.next() }
        let nested = RedisReplyReader()
        try nested.feed(Array("*2\r\n:1\r\n*\(RedisReplyReader.maxArrayElements + 1)\r\n".utf8))
        #expect(throws: RedisError.self) { _ = try nested.next() }
        // At the bound and below, arrays still read (with their elements).
        let fine = RedisReplyReader()
        try fine.feed(Array("*3\r\n:1\r\n*0\r\n*-1\r\n".utf8))
        #expect(try fine.next() == .array([.integer(1), .array([]), .null]))
    }
}

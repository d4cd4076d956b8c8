import Testing

@testable import ClaimRedis

@Suite struct RESPEncoderTests {
    @Test func encodesArraysOfBulkStrings() {
        var out: [UInt8] = []
        RESPEncoder.append(["SET", "k", ""], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    }

    @Test func roundTripsThroughTheReader() throws {
        var out: [UInt8] = []
        RESPEncoder.append([[0, 13, 10, 255], Array("é".utf8)], to: &out)
        let reader = RedisReplyReader()
        try reader.feed(out)
        #expect(try reader.next() == .array([.bulk([0, 13, 10, 255]), .bulk(Array("é".utf8))]))
    }

    @Test func writesEveryDecimalDigitOfCountsAndLengths() {
        for n in [0, 1, 9, 10, 11, 99, 100, 1009, 65_536, 1_000_000_007, Int(Int32.max)] {
            var out: [UInt8] = []
            RESPEncoder.appendDecimal(n, to: &out)
            #expect(out == Array("\(n)\r\n".utf8), "\(n)")
        }
    }
}

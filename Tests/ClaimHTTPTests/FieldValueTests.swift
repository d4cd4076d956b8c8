import Testing

@testable import ClaimHTTP

/// The word-at-a-time check against the byte rule it stands for, exhaustively.
@Suite struct FieldValueTests {
    @Test func everyByteInEveryPositionIsJudgedAsTheByteRuleSays() {
        // 19 bytes: two whole words and a tail, so both paths of the check are covered.
        for length in [1, 7, 8, 19] {
            for position in 0..<length {
                for byte in 0...255 {
                    var value = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    value[position] = UInt8(byte)
                    let clean = value.withUnsafeBytes { FieldValue.isClean($0, 0..<length) }
                    #expect(clean == FieldValue.isAllowed(UInt8(byte)), "byte \(byte) at \(position) of \(length)")
                }
            }
        }
    }

    @Test func theRuleIsRFC9110s() {
        #expect(FieldValue.isAllowed(9))
        #expect(FieldValue.isAllowed(32))
        #expect(FieldValue.isAllowed(126))
        #expect(FieldValue.isAllowed(0x80))
        #expect(FieldValue.isAllowed(0xFF))
        #expect(!FieldValue.isAllowed(0))
        #expect(!FieldValue.isAllowed(10))
        #expect(!FieldValue.isAllowed(31))
        #expect(!FieldValue.isAllowed(127))
    }

    @Test func onlyTheRangeAskedAboutIsRead() {
        let bytes: [UInt8] = [0, 0, 0] + Array("clean value here".utf8) + [0]
        #expect(bytes.withUnsafeBytes { FieldValue.isClean($0, 3..<(bytes.count - 1)) })
        #expect(!bytes.withUnsafeBytes { FieldValue.isClean($0, 2..<(bytes.count - 1)) })
    }
}

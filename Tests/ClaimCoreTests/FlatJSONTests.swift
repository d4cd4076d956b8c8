import Testing

@testable import ClaimCore

@Suite struct FlatJSONTests {
    func parse(_ s: String) throws(FlatJSONError) -> FlatJSONObject { try FlatJSONObject(parsing: Array(s.utf8)) }

    @Test func readsScalars() throws {
        let o = try parse(#" { "sub":"u1", "exp": 1654826400, "real_name":true, "n":-5, "x":null, "e":"" } "#)
        #expect(o.string("sub") == "u1")
        #expect(o.integer("exp") == 1_654_826_400)
        #expect(o.bool("real_name") == true)
        #expect(o.integer("n") == -5)
        #expect(o["x"] == .null)
        #expect(o.string("e") == "")
        #expect(o.string("missing") == nil)
        #expect(try parse("{}").fields.isEmpty)
    }

    /// Found by schemathesis: the most negative 64-bit integer was refused as out of range.
    @Test func readsTheWholeInt64RangeAndNothingBeyond() throws {
        let o = try parse(#"{"min":-9223372036854775808,"max":9223372036854775807,"z":-0}"#)
        #expect(o.integer("min") == Int64.min)
        #expect(o.integer("max") == Int64.max)
        #expect(o.integer("z") == 0)
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":-9223372036854775809}"#) }
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":9223372036854775808}"#) }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let o = try parse(#"{"a":"q\"b\\s\/n\n\u00e9\ud83d\ude00"}"#)
        #expect(o.string("a") == "q\"b\\s/n\n\u{e9}\u{1F600}")
    }

    @Test func refusesDuplicateKeysSoTwoReadersCannotDisagree() {
        #expect(throws: FlatJSONError.duplicateKey("sub")) { try parse(#"{"sub":"a","sub":"b"}"#) }
    }

    @Test func refusesWhatItDoesNotModel() {
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":{}}"#) }
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":[1]}"#) }
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":1.5}"#) }
        #expect(throws: FlatJSONError.unsupportedValue(key: "a")) { try parse(#"{"a":99999999999999999999}"#) }
    }

    @Test func refusesMalformedInput() {
        for bad in [
            "", "{", "}", "[]", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{"a":1}x"#, #"{"a":01}"#, #"{"a":tru}"#,
            "{\"a\":\"\u{1}\"}", #"{"a":"\x"}"#, #"{"a":"\ud83d"}"#, #"{a:1}"#,
        ] {
            #expect(throws: FlatJSONError.self, "\(bad)") { try parse(bad) }
        }
        #expect(throws: FlatJSONError.invalidUTF8) {
            try FlatJSONObject(parsing: [123, 34, 97, 34, 58, 34, 0xFF, 34, 125])
        }
    }

    @Test func boundsItsInput() {
        let big = "{\"a\":\"" + String(repeating: "x", count: FlatJSONObject.maxBytes) + "\"}"
        #expect(throws: FlatJSONError.tooLarge) { try parse(big) }
        let many = "{" + (0...FlatJSONObject.maxFields).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        #expect(throws: FlatJSONError.tooManyFields) { try parse(many) }
    }

    @Test func neverTrapsOnRandomBytes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\ u0123456789abcdeftrnl-."#.utf8) + [0, 0xFF, 0xC3]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<40, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? FlatJSONObject(parsing: bytes)
        }
    }
}

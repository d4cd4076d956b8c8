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

    /// Seeded: objects written by JSONWriter from random fields read back to the same fields.
    @Test func writtenObjectsReadBackToTheirFields() throws {
        var rng = SplitMix64(seed: 0xF1A7_0B1E)
        let alphabet = Array("abc xyz\"\\/\u{e9}\u{4e2d}\n\t0".unicodeScalars)
        for round in 0..<2_000 {
            var w = JSONWriter()
            w.beginObject()
            var expected: [(String, JSONScalar)] = []
            for i in 0..<Int(rng.next() % 8) {
                let key = "k\(i)"
                if rng.next() % 2 == 0 {
                    let n = Int(rng.next() % 2_000_000) - 1_000_000
                    w.field(key, n)
                    expected.append((key, .integer(Int64(n))))
                } else {
                    var text = ""
                    for _ in 0..<Int(rng.next() % 12) {
                        text.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
                    }
                    w.field(key, text)
                    expected.append((key, .string(text)))
                }
            }
            w.endObject()
            let object = try FlatJSONObject(parsing: w.bytes)
            #expect(object.fields.map(\.key) == expected.map(\.0), "round \(round)")
            #expect(object.fields.map(\.value) == expected.map(\.1), "round \(round)")
        }
    }

    /// Random bytes (seeded): whatever is accepted is a flat object that, written again, reads
    /// back the same; whatever is refused is refused for a reason.
    @Test func acceptedBytesAreAFlatObjectThatRoundTrips() throws {
        var rng = SplitMix64(seed: 0x7A5C_0DE5)
        let alphabet = Array(#"{}[]":,\ u0123456789abcdeftrnl-."#.utf8) + [0, 0xFF, 0xC3]
        var accepted = 0
        for round in 0..<20_000 {
            let n = Int(rng.next() % 40)
            var bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Every other case starts as an object, so some are accepted.
            if round % 2 == 0 { bytes = Array(#"{"a":"#.utf8) + bytes }
            guard let object = try? FlatJSONObject(parsing: bytes) else { continue }
            accepted += 1
            var w = JSONWriter()
            w.beginObject()
            for (key, value) in object.fields {
                switch value {
                case .string(let s): w.field(key, s)
                case .integer(let i): w.field(key, Int(i))
                case .bool(let b): w.field(key, b)
                case .null: w.nullField(key)
                }
            }
            w.endObject()
            let again = try FlatJSONObject(parsing: w.bytes)
            #expect(again.fields.map(\.key) == object.fields.map(\.key), "round \(round)")
            #expect(again.fields.map(\.value) == object.fields.map(\.value), "round \(round)")
        }
        #expect(accepted > 0)
    }
}

import Testing

@testable import ClaimCore

@Suite struct FlatJSONScannerTests {
    /// The members of `text` as `key=value` lines, strings decoded, with `*` after a key or
    /// string that is not plain.
    func members(_ text: String) throws(FlatJSONError) -> [String] {
        let bytes = Array(text.utf8)
        let scanned = bytes.withUnsafeBytes { raw in
            Result { () throws(FlatJSONError) -> [String] in
                var s = try FlatJSONScanner(raw)
                var out: [String] = []
                while let m = try s.next() {
                    var line = try s.string(m.key) + (m.keyIsPlain ? "" : "*") + "="
                    switch m.value {
                    case .string(let r, let plain): line += try s.string(r) + (plain ? "" : "*")
                    case .integer(let v): line += "\(v)"
                    case .bool(let b): line += "\(b)"
                    case .null: line += "null"
                    }
                    out.append(line)
                }
                // Finished stays finished.
                if try s.next() != nil { out.append("after the end") }
                return out
            }
        }
        return try scanned.get()
    }

    @Test func readsMembersInOrderAndSaysWhichNeedDecoding() throws {
        #expect(
            try members(#" {"a":"x", "b\u0031":-7, "c":true, "d":null, "e":"é", "f":"q\"" } "#) == [
                "a=x", "b1*=-7", "c=true", "d=null", "e=é*", "f=q\"*",
            ])
        #expect(try members("{}") == [])
    }

    @Test func refusesTheSameInputTheObjectRefuses() {
        for bad in [#"{"a":1,}"#, #"{"a":1}x"#, #"{"a":"\q"}"#, #"{"a":"\u12"}"#, #"{"a":{}}"#, "{\"a\":\"\u{1}\"}"] {
            #expect(throws: FlatJSONError.self, "\(bad)") { try members(bad) }
        }
    }
}

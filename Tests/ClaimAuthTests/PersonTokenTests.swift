import ClaimCore
import Testing

@testable import ClaimAuth

/// The in-place payload reader against the full decoder, which the rules were first written
/// for: on every payload where the reader answers, both must give the same answer.
@Suite struct PersonTokenTests {
    /// What the full decoder makes of `bytes` (an unparseable payload is a malformed token).
    func decoded(_ bytes: [UInt8]) -> Result<PersonToken, TokenError> {
        guard let json = try? FlatJSONObject(parsing: bytes) else { return .failure(.malformed) }
        return PersonToken.from(payload: json)
    }

    func read(_ bytes: [UInt8]) -> Result<PersonToken, TokenError>? {
        bytes.withUnsafeBytes { PersonToken.read(payload: $0) }
    }

    /// Claims in valid and invalid shapes: every rule's pass and each of its failures.
    static let choices: [(key: String, values: [String])] = [
        ("sub", [#""u42""#, #""u 42""#, #""""#, "42", "null", #""\u0075""#]),
        ("exp", ["1654830000", "0", "-5", #""1654830000""#, "100000000000", "true", "1.5"]),
        ("nbf", ["1654820000", "null", #""x""#, "0"]),
        ("region", [#""210100""#, "210100", #""上海""#]),
        ("real_name", ["true", "false", #""true""#]),
        ("card", [#""62""#, #""6""#, "62"]),
        ("acct", [#""individual""#, #""enterprise""#, #""bank""#, "1"]),
        ("role", [#""resident""#, #""merchant""#, "7"]),
        ("zz", [#""extra""#, "[1]", "{}", #""é""#]),
    ]

    @Test func theReaderAndTheFullDecoderAgreeOnEveryPayload() {
        var rng = SplitMix64(seed: 2022)
        var answered = 0
        for _ in 0..<20_000 {
            var members: [String] = []
            for (key, values) in Self.choices where rng.next() % 4 != 0 {
                members.append("\"\(key)\":" + values[Int(rng.next() % UInt64(values.count))])
            }
            // Shuffled, sometimes with a duplicate or extra white space.
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            if let first = members.first, rng.next() % 10 == 0 { members.append(first) }
            let space = rng.next() % 5 == 0 ? " \n" : ""
            var bytes = Array(("{" + space + members.joined(separator: "," + space) + space + "}").utf8)
            // Sometimes a byte changed: the grammar's failures too.
            if !bytes.isEmpty, rng.next() % 4 == 0 {
                let alphabet = Array(#"{}[]":,\ 0u"#.utf8)
                bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            guard let fast = read(bytes) else { continue }
            answered += 1
            #expect(fast == decoded(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Most payloads are plain ASCII: the comparison must not be vacuous.
        #expect(answered > 10_000)
    }

    @Test func escapesAndNonASCIITextAreLeftToTheFullDecoder() {
        #expect(read(Array(#"{"sub":"u\u0034","exp":1654830000}"#.utf8)) == nil)
        #expect(read(Array(#"{"sub":"u4","exp":1654830000,"name":"张三"}"#.utf8)) == nil)
        #expect(read(Array(#"{"s\u0075b":"u4","exp":1654830000}"#.utf8)) == nil)
    }

    @Test func readsWhatTheProviderWrites() {
        let t = PersonToken(
            person: "u42",
            facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
            expiresAt: Instant(unixMilliseconds: 1_654_830_000_000),
            notBefore: Instant(unixMilliseconds: 1_654_820_000_000))
        #expect(read(t.payload()) == .success(t))
    }
}

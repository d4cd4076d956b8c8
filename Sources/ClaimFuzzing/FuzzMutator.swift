import ClaimCore

/// Byte-level mutations in the style of libFuzzer's: flips, interesting bytes, inserted and
/// deleted runs, repeated chunks, and splices of tokens that matter to our decoders (CRLF,
/// header names, JSON punctuation, RESP type bytes). Deterministic from its seed.
public struct FuzzMutator: Sendable {
    private var rng: SplitMix64
    /// The longest input it makes: longer than every decoder's bound, so bounds are exercised.
    public let maxLength: Int

    static let dictionary: [[UInt8]] = [
        "\r\n", "\r\n\r\n", "\n", "\r", "\0", ":", " ", "\t", "Content-Length: ", "Transfer-Encoding: chunked",
        "Connection: close", "Authorization: Bearer ", "Idempotency-Key: ", "HTTP/1.1", "HTTP/1.0", "GET ", "POST ",
        "/v1/pools/", "/claims", "/v1/redemptions/", "/reverse", "?", "%00", "-1", "99999999999999999999", "{", "}",
        "\"", "\\u0000", "\\ud800", ",", "[", "true", "null", "\u{FF}", "\u{C0}\u{80}", ".", "eyJ", "=", "$", "*", "+",
        "-ERR ", ":1\r\n", "$-1\r\n", "*-1\r\n", "T", "Z", "+08:00", "2022-06-10", "10:00:00.000",
    ].map { Array($0.utf8) }

    public init(seed: UInt64, maxLength: Int = 20_000) {
        rng = SplitMix64(seed: seed)
        self.maxLength = maxLength
    }

    /// `input` changed by one to four mutations, `donor` offering material for splices.
    public mutating func mutate(_ input: [UInt8], donor: [UInt8]) -> [UInt8] {
        var out = input
        for _ in 0...rng.below(4) { mutateOnce(&out, donor: donor) }
        if out.count > maxLength { out.removeLast(out.count - maxLength) }
        return out
    }

    private mutating func mutateOnce(_ b: inout [UInt8], donor: [UInt8]) {
        switch rng.below(9) {
        case 0 where !b.isEmpty:
            b[rng.below(b.count)] ^= UInt8(1) << UInt8(rng.below(8))
        case 1 where !b.isEmpty:
            b[rng.below(b.count)] = [0, 9, 10, 13, 32, 34, 45, 46, 47, 58, 92, 127, 128, 255][rng.below(14)]
        case 2 where !b.isEmpty:
            let at = rng.below(b.count)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
        case 3:
            b.insert(contentsOf: Self.dictionary[rng.below(Self.dictionary.count)], at: rng.below(b.count + 1))
        case 4 where !b.isEmpty:
            // Repeat a chunk, many times now and then, to reach length bounds.
            let at = rng.below(b.count)
            let chunk = Array(b[at..<min(b.count, at + 1 + rng.below(64))])
            let times = rng.below(8) == 0 ? 1 + rng.below(400) : 1
            for _ in 0..<times where b.count + chunk.count <= maxLength { b.insert(contentsOf: chunk, at: at) }
        case 5 where !donor.isEmpty:
            let from = rng.below(donor.count)
            let piece = donor[from..<min(donor.count, from + 1 + rng.below(48))]
            b.insert(contentsOf: piece, at: rng.below(b.count + 1))
        case 6 where !b.isEmpty:
            b.removeLast(rng.below(b.count) + 1 > b.count ? b.count : rng.below(b.count) + 1)
        case 7:
            b.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.below(b.count + 1))
        default:
            // Digits are where lengths live: nudge one.
            if let i = b.indices.filter({ b[$0] >= 48 && b[$0] <= 57 }).randomElement(using: &rng) {
                b[i] = UInt8(48 + rng.below(10))
            } else {
                b.append(UInt8(48 + rng.below(10)))
            }
        }
    }
}

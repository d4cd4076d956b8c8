/// Base64url without padding (RFC 4648 §5), as JWTs use it.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [
                alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)],
                alphabet[Int(v & 63)],
            ]
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let v = UInt32(input[i]) << 16
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)]]
        } else if rest == 2 {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64url; nil on any byte outside the alphabet, on padding, or on a
    /// length that no encoding produces.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        Array(text).withUnsafeBytes { decode($0) }
    }

    /// The same over raw bytes.
    public static func decode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: decodedCount(text.count))
        let n = out.withUnsafeMutableBytes { decode(text, into: $0) }
        return n == nil ? nil : out
    }

    /// The bytes `count` characters decode to (`count * 3 / 4`, rounded down).
    public static func decodedCount(_ count: Int) -> Int { count * 3 / 4 }

    /// Decodes into `out`, which has room for `decodedCount(text.count)` bytes: the token
    /// verifier's hot path, into stack space, with nothing allocated. The count written, or nil
    /// on any byte outside the alphabet, on padding, or on a length or trailing bits that no
    /// encoding produces.
    public static func decode(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        let n = text.count
        guard n % 4 != 1, out.count >= decodedCount(n) else { return nil }
        return reverse.withUnsafeBufferPointer { table -> Int? in
            var o = 0
            var i = 0
            // Four characters to three bytes; 0xFF (not in the alphabet) sets a high bit.
            while i + 4 <= n {
                let a = table[Int(text[i])], b = table[Int(text[i + 1])]
                let c = table[Int(text[i + 2])], d = table[Int(text[i + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { return nil }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[o] = UInt8(truncatingIfNeeded: v >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: v)
                o += 3
                i += 4
            }
            var acc: UInt32 = 0
            var bits = 0
            while i < n {
                let v = table[Int(text[i])]
                guard v != 0xFF else { return nil }
                acc = acc << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out[o] = UInt8(truncatingIfNeeded: acc >> UInt32(bits))
                    o += 1
                }
                i += 1
            }
            // Leftover bits must be zero, so each token has exactly one encoding.
            guard acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
            return o
        }
    }
}

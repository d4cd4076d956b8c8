/// Reads a flat JSON object member by member, in place: the grammar `FlatJSONObject` accepts,
/// checked as strictly, without building anything. Keys and string values come back as ranges
/// of the input; `string(_:)` decodes one when a String is wanted. The token verifier reads a
/// payload with it without allocating; `FlatJSONObject` is built on it, so there is one
/// definition of what is accepted.
///
/// The caller owns `bytes` and keeps it alive while scanning. Bounds: at most
/// `FlatJSONObject.maxBytes` of input and `FlatJSONObject.maxFields` members.
public struct FlatJSONScanner {
    /// A member's value. Strings are their contents between the quotes, still escaped;
    /// `plain` means no escape and only ASCII bytes, so the bytes are the value itself.
    public enum Value: Hashable, Sendable {
        case string(Range<Int>, plain: Bool)
        case integer(Int64)
        case bool(Bool)
        case null
    }

    /// One `"key": value` of the object; the key is a range like a string value.
    public struct Member: Hashable, Sendable {
        public let key: Range<Int>
        public let keyIsPlain: Bool
        public let value: Value
    }

    public let bytes: UnsafeRawBufferPointer
    private var i = 0
    private var members = 0
    private var finished = false

    /// Starts reading `bytes`, which must hold one object (optionally surrounded by white space).
    public init(_ bytes: UnsafeRawBufferPointer) throws(FlatJSONError) {
        guard bytes.count <= FlatJSONObject.maxBytes else { throw .tooLarge }
        self.bytes = bytes
        skipSpace()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            try end()
        }
    }

    /// The next member, or nil after the closing brace (and nothing but white space after it).
    public mutating func next() throws(FlatJSONError) -> Member? {
        guard !finished else { return nil }
        if members > 0 {
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
            } else {
                try expect(UInt8(ascii: "}"))
                try end()
                return nil
            }
        }
        skipSpace()
        let (key, keyIsPlain) = try stringRange()
        skipSpace()
        try expect(UInt8(ascii: ":"))
        skipSpace()
        let value = try scalar(key: key)
        guard members < FlatJSONObject.maxFields else { throw .tooManyFields }
        members += 1
        return Member(key: key, keyIsPlain: keyIsPlain, value: value)
    }

    /// The text of a key or string value `r` (a range `next` returned): escapes decoded, UTF-8
    /// checked.
    public func string(_ r: Range<Int>) throws(FlatJSONError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var j = r.lowerBound
        while j < r.upperBound {
            let b = bytes[j]
            j += 1
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            // The scanner has checked every escape's shape: one byte after the backslash, and
            // four hex digits after `u`.
            let e = bytes[j]
            j += 1
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: j)
                j += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard j < r.upperBound, bytes[j] == UInt8(ascii: "\\") else { throw .invalidUTF8 }
                    guard bytes[j + 1] == UInt8(ascii: "u") else { throw .syntax(offset: j + 1) }
                    let low = hex4(at: j + 2)
                    j += 6
                    guard (0xDC00...0xDFFF).contains(low) else { throw .invalidUTF8 }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw .invalidUTF8 }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: out.append(e)  // `"`, `\`, `/`
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
        return s
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    private mutating func expect(_ b: UInt8) throws(FlatJSONError) {
        guard peek == b else { throw .syntax(offset: i) }
        i += 1
    }

    private mutating func end() throws(FlatJSONError) {
        skipSpace()
        guard i == bytes.count else { throw .syntax(offset: i) }
        finished = true
    }

    private mutating func literal(_ word: StaticString) throws(FlatJSONError) {
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount { try expect(w[k]) }
    }

    /// A string's contents, checked for shape (escapes, no raw control bytes) but not decoded.
    private mutating func stringRange() throws(FlatJSONError) -> (Range<Int>, plain: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = i
        var plain = true
        while true {
            guard i < bytes.count else { throw .syntax(offset: i) }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return (start..<(i - 1), plain)
            case UInt8(ascii: "\\"):
                plain = false
                i += 1
                guard let e = peek else { throw .syntax(offset: i) }
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 1
                case UInt8(ascii: "u"):
                    i += 1
                    guard i + 4 <= bytes.count, (i..<(i + 4)).allSatisfy({ Self.hexValue(bytes[$0]) != nil }) else {
                        throw .syntax(offset: i)
                    }
                    i += 4
                default: throw .syntax(offset: i)
                }
            case 0..<0x20:
                throw .syntax(offset: i)
            default:
                if b >= 0x80 { plain = false }
                i += 1
            }
        }
    }

    private mutating func scalar(key: Range<Int>) throws(FlatJSONError) -> Value {
        guard let first = peek else { throw .syntax(offset: i) }
        switch first {
        case UInt8(ascii: "\""):
            let (r, plain) = try stringRange()
            return .string(r, plain: plain)
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer(key: key))
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw .unsupportedValue(key: try string(key))
        default: throw .syntax(offset: i)
        }
    }

    private mutating func integer(key: Range<Int>) throws(FlatJSONError) -> Int64 {
        let negative = peek == UInt8(ascii: "-")
        if negative { i += 1 }
        let start = i
        var value: Int64 = 0
        // Accumulated with the number's own sign, so Int64.min (whose magnitude Int64 cannot
        // hold) reads too.
        while let b = peek, b >= 48, b <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(b - 48)
            let (a, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw .unsupportedValue(key: try string(key)) }
            value = a
            i += 1
        }
        guard i > start else { throw .syntax(offset: i) }
        // JSON forbids leading zeros ("012").
        if bytes[start] == 48, i - start > 1 { throw .syntax(offset: start) }
        if let b = peek, b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
            throw .unsupportedValue(key: try string(key))
        }
        return value
    }

    private func hex4(at j: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in j..<(j + 4) { v = v << 4 | UInt32(Self.hexValue(bytes[k]) ?? 0) }
        return v
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: b - 48
        case 65...70: b - 55
        case 97...102: b - 87
        default: nil
        }
    }
}

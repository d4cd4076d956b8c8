/// A value in a flat JSON object.
public enum JSONScalar: Hashable, Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null
}

/// Why bytes were not a flat JSON object.
public enum FlatJSONError: Error, Hashable, Sendable {
    case tooLarge
    case tooManyFields
    case syntax(offset: Int)
    case invalidUTF8
    /// Nested objects, arrays and fractional numbers are not accepted here.
    case unsupportedValue(key: String)
    case duplicateKey(String)
}

/// A parsed JSON object with scalar values only: token payloads and request bodies.
///
/// Strict on purpose: duplicate keys are refused (two parsers must never disagree about what
/// a token says), sizes are bounded, and nothing it is given can make it trap.
public struct FlatJSONObject: Sendable {
    public static let maxBytes = 8192
    public static let maxFields = 64

    public private(set) var fields: [(key: String, value: JSONScalar)] = []

    public subscript(key: String) -> JSONScalar? { fields.first { $0.key == key }?.value }

    public func string(_ key: String) -> String? {
        if case .string(let s) = self[key] { return s }
        return nil
    }

    public func integer(_ key: String) -> Int64? {
        if case .integer(let i) = self[key] { return i }
        return nil
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let b) = self[key] { return b }
        return nil
    }

    /// Parses `bytes` as one JSON object, optionally surrounded by white space.
    public init<C: Collection>(parsing bytes: C) throws(FlatJSONError) where C.Element == UInt8 {
        guard bytes.count <= Self.maxBytes else { throw .tooLarge }
        var p = Parser(bytes: Array(bytes))
        p.skipSpace()
        try p.expect(UInt8(ascii: "{"))
        p.skipSpace()
        if p.peek == UInt8(ascii: "}") {
            p.i += 1
        } else {
            while true {
                p.skipSpace()
                let key = try p.string()
                p.skipSpace()
                try p.expect(UInt8(ascii: ":"))
                p.skipSpace()
                let value = try p.scalar(key: key)
                guard fields.count < Self.maxFields else { throw .tooManyFields }
                if fields.contains(where: { $0.key == key }) { throw .duplicateKey(key) }
                fields.append((key, value))
                p.skipSpace()
                if p.peek == UInt8(ascii: ",") { p.i += 1; continue }
                try p.expect(UInt8(ascii: "}"))
                break
            }
        }
        p.skipSpace()
        guard p.i == p.bytes.count else { throw .syntax(offset: p.i) }
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
                i += 1
            }
        }

        mutating func expect(_ b: UInt8) throws(FlatJSONError) {
            guard peek == b else { throw .syntax(offset: i) }
            i += 1
        }

        mutating func literal(_ word: String) throws(FlatJSONError) {
            for b in word.utf8 { try expect(b) }
        }

        mutating func scalar(key: String) throws(FlatJSONError) -> JSONScalar {
            guard let first = peek else { throw .syntax(offset: i) }
            switch first {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer(key: key))
            case UInt8(ascii: "{"), UInt8(ascii: "["): throw .unsupportedValue(key: key)
            default: throw .syntax(offset: i)
            }
        }

        mutating func integer(key: String) throws(FlatJSONError) -> Int64 {
            let negative = peek == UInt8(ascii: "-")
            if negative { i += 1 }
            let start = i
            var value: Int64 = 0
            // Accumulated with the number's own sign, so Int64.min (whose magnitude Int64
            // cannot hold) reads too.
            while let b = peek, b >= 48, b <= 57 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let digit = Int64(b - 48)
                let (a, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
                guard !o1, !o2 else { throw .unsupportedValue(key: key) }
                value = a
                i += 1
            }
            guard i > start else { throw .syntax(offset: i) }
            // JSON forbids leading zeros ("012").
            if bytes[start] == 48, i - start > 1 { throw .syntax(offset: start) }
            if let b = peek, b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                throw .unsupportedValue(key: key)
            }
            return value
        }

        mutating func hex4() throws(FlatJSONError) -> UInt32 {
            guard i + 4 <= bytes.count else { throw .syntax(offset: i) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[i]
                let d: UInt32
                switch b {
                case 48...57: d = UInt32(b - 48)
                case 65...70: d = UInt32(b - 55)
                case 97...102: d = UInt32(b - 87)
                default: throw .syntax(offset: i)
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        mutating func string() throws(FlatJSONError) -> String {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw .syntax(offset: i) }
                i += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
                    return s
                case UInt8(ascii: "\\"):
                    guard let e = peek else { throw .syntax(offset: i) }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "f"): out.append(12)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard peek == UInt8(ascii: "\\") else { throw .invalidUTF8 }
                            i += 1
                            try expect(UInt8(ascii: "u"))
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw .invalidUTF8 }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw .invalidUTF8 }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw .syntax(offset: i - 1)
                    }
                case 0..<0x20:
                    throw .syntax(offset: i - 1)
                default:
                    out.append(b)
                }
            }
        }
    }
}

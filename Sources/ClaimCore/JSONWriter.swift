/// Appends JSON to a byte buffer without Foundation: the hot path builds every response body
/// with it. Callers write keys in order; the writer tracks commas.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray(_ key: String) {
        self.key(key); bytes.append(UInt8(ascii: "[")); needsComma = false
    }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    public mutating func field(_ key: String, _ value: String) { self.key(key); string(value); needsComma = true }
    public mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        appendDecimal(value)
        needsComma = true
    }
    public mutating func field(_ key: String, _ value: Bool) {
        self.key(key); bytes.append(contentsOf: (value ? "true" : "false").utf8); needsComma = true
    }
    public mutating func nullField(_ key: String) {
        self.key(key); bytes.append(contentsOf: "null".utf8); needsComma = true
    }
    /// An array element that is a string.
    public mutating func element(_ value: String) { separate(); string(value); needsComma = true }
    /// Starts an object as the value of `key`.
    public mutating func beginObject(_ key: String) {
        self.key(key); bytes.append(UInt8(ascii: "{")); needsComma = false
    }

    /// Writes an integer's digits without building a String.
    private mutating func appendDecimal(_ value: Int) { DecimalDigits.append(signed: Int64(value), to: &bytes) }

    private mutating func separate() { if needsComma { bytes.append(UInt8(ascii: ",")) } }

    private mutating func key(_ k: String) {
        separate()
        string(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func string(_ s: String) { Self.appendString(s, to: &bytes) }

    /// Appends `s` as a quoted JSON string: what `field` writes for a value, for answers
    /// rendered from templates (`GrantAnswer`) that must come out byte for byte the same.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// The same for UTF-8 bytes.
    public static func appendString(_ utf8: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (ids, codes, ISO times) need no escaping: copy them in one go.
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: utf8)
        } else {
            for b in utf8 { escape(b, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ b: UInt8, to out: inout [UInt8]) {
        switch b {
        case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
        case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
        case 0..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
        default: out.append(b)
        }
    }
}

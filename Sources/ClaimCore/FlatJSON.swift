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
        let parsed = Array(bytes).withUnsafeBytes { raw in
            Result { () throws(FlatJSONError) in try FlatJSONObject(parsing: raw) }
        }
        self = try parsed.get()
    }

    /// The same over bytes in place (a request body, a decoded token payload).
    public init(parsing bytes: UnsafeRawBufferPointer) throws(FlatJSONError) {
        var scanner = try FlatJSONScanner(bytes)
        while let member = try scanner.next() {
            let key = try scanner.string(member.key)
            let value: JSONScalar
            switch member.value {
            case .string(let r, _): value = .string(try scanner.string(r))
            case .integer(let v): value = .integer(v)
            case .bool(let b): value = .bool(b)
            case .null: value = .null
            }
            if fields.contains(where: { $0.key == key }) { throw .duplicateKey(key) }
            fields.append((key, value))
        }
    }
}

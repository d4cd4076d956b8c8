import ClaimCore

/// What a reader of a script's reply needs of it, whether the reply is owned (`RedisReply`) or
/// lent in place (`RedisReplyView`): so each script's reply has one reader, which serves both
/// the gateway's in-place path and everything that holds a copy.
public protocol RedisReplyNode {
    /// An error reply's message, nil for any other type.
    var errorMessage: String? { get }
    /// The elements of an array reply (0 for anything else).
    var count: Int { get }
    /// Element `i` of an array reply, nil when out of range.
    subscript(i: Int) -> Self? { get }
    /// An integer reply's value, nil for any other type (a bulk holding digits included).
    var integerReply: Int64? { get }
    /// True when the reply is a bulk string or status reading exactly `text`.
    func reads(_ text: StaticString) -> Bool
    /// A bulk string's bytes, lent to `body`; nil for any other type.
    func withBulk<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T?
}

extension RedisReplyView: RedisReplyNode {
    public var errorMessage: String? {
        guard isError, case .error(let m) = owned() else { return nil }
        return m
    }

    public var integerReply: Int64? { integer }

    public func withBulk<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T? { bulk.map(body) }
}

extension RedisReply: RedisReplyNode {
    public var errorMessage: String? { if case .error(let m) = self { m } else { nil } }

    public var count: Int { array?.count ?? 0 }

    public subscript(i: Int) -> RedisReply? {
        guard case .array(let items) = self, i >= 0, i < items.count else { return nil }
        return items[i]
    }

    /// The strict reading (`RedisReplyNode`): an integer reply only. `integer` also reads digits.
    public var integerReply: Int64? { if case .integer(let i) = self { i } else { nil } }

    public func reads(_ text: StaticString) -> Bool {
        switch self {
        case .status(let s): return s.utf8.elementsEqual(Self.bytes(text))
        case .bulk(let b): return b.elementsEqual(Self.bytes(text))
        default: return false
        }
    }

    private static func bytes(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    public func withBulk<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T? {
        guard case .bulk(let b) = self else { return nil }
        return b.withUnsafeBytes(body)
    }
}

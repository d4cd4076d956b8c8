import CHiredis
import ClaimCore

/// A reply as hiredis parsed it, lent for one delivery (`RedisPipeline.handleReadable`).
///
/// Ownership: the reply belongs to hiredis's reader, which frees it as soon as the handler
/// returns; nothing read from a view (its bytes above all) may be kept past that call. `owned()`
/// copies the reply into a `RedisReply` for anything that outlives it. Reading a view copies
/// nothing, which is what lets a granted claim be answered without a single allocation for
/// its reply.
public struct RedisReplyView {
    private let reply: UnsafePointer<redisReply>

    init(_ reply: UnsafePointer<redisReply>) { self.reply = reply }

    public var isError: Bool { reply.pointee.type == REDIS_REPLY_ERROR }

    /// The elements of an array reply (0 for anything else).
    public var count: Int { reply.pointee.type == REDIS_REPLY_ARRAY ? Int(reply.pointee.elements) : 0 }

    /// Element `i` of an array reply, nil when out of range.
    public subscript(i: Int) -> RedisReplyView? {
        guard i >= 0, i < count, let e = reply.pointee.element?[i] else { return nil }
        return RedisReplyView(UnsafePointer(e))
    }

    /// An integer reply's value, nil for any other type.
    public var integer: Int64? { reply.pointee.type == REDIS_REPLY_INTEGER ? reply.pointee.integer : nil }

    /// The bytes of a bulk string, status or error reply (valid only during the delivery), nil
    /// for other types.
    public var bytes: UnsafeRawBufferPointer? {
        let r = reply.pointee
        guard r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR else {
            return nil
        }
        guard let str = r.str, r.len > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: str, count: Int(r.len))
    }

    /// The bytes of a bulk string reply only (valid only during the delivery).
    public var bulk: UnsafeRawBufferPointer? { reply.pointee.type == REDIS_REPLY_STRING ? bytes : nil }

    /// True when the reply is a bulk string or status reading exactly `text`.
    public func reads(_ text: StaticString) -> Bool {
        guard reply.pointee.type != REDIS_REPLY_ERROR, let b = bytes else { return false }
        return ByteMatch.equal(b, text)
    }

    /// A copy that outlives the delivery.
    public func owned() -> RedisReply { RedisReply(copying: reply) }
}

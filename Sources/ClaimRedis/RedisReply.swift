import CHiredis

/// A Redis reply, copied out of hiredis's `redisReply` so no C memory outlives the call that
/// read it.
public enum RedisReply: Hashable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// Copies `reply` (owned by hiredis; the caller frees it afterwards).
    init(copying reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = r.str, r.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: Int(r.len)))
        }
        switch r.type {
        case REDIS_REPLY_STATUS: self = .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: self = .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: self = .integer(r.integer)
        case REDIS_REPLY_STRING: self = .bulk(bytes())
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(r.elements))
            for i in 0..<Int(r.elements) {
                if let e = r.element?[i] { items.append(RedisReply(copying: e)) } else { items.append(.null) }
            }
            self = .array(items)
        default: self = .null
        }
    }

    /// The reply as text (status or bulk), nil otherwise.
    public var text: String? {
        switch self {
        case .status(let s): s
        case .bulk(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    /// The reply as an integer (integer, or bulk/status holding one), nil otherwise.
    public var integer: Int64? {
        switch self {
        case .integer(let i): i
        case .bulk, .status: text.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Redis lost the script cache (a restart, SCRIPT FLUSH): run the source with EVAL instead.
    public var isNoScript: Bool {
        if case .error(let m) = self { return m.hasPrefix("NOSCRIPT") }
        return false
    }

    /// Throws the server's error for an error reply, returns the reply otherwise.
    public func orThrow() throws(RedisError) -> RedisReply {
        if case .error(let m) = self { throw .server(m) }
        return self
    }

    /// Pairs of a flat `HGETALL` reply as a dictionary of strings.
    public func stringPairs() throws(RedisError) -> [String: String] {
        guard let items = array, items.count % 2 == 0 else { throw .unexpectedReply("\(self)") }
        var out: [String: String] = [:]
        out.reserveCapacity(items.count / 2)
        var i = 0
        while i < items.count {
            out[items[i].text ?? ""] = items[i + 1].text ?? ""
            i += 2
        }
        return out
    }
}

import CHiredis

/// Incremental RESP parsing with hiredis's reader: feed whatever bytes the socket gave, take
/// out every complete reply. Owns its `redisReader` (freed in `deinit`); not thread-safe, so
/// one owner only (one event loop), hence not `Sendable`.
public final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    public init() {
        // redisReaderCreate only fails when malloc does; there is nothing to recover then.
        guard let r = redisReaderCreate(), cg_reader_bound_arrays(r, Int64(CG_MAX_REPLY_ELEMENTS)) == 0 else {
            fatalError("redisReaderCreate: out of memory")
        }
        reader = r
    }

    /// The most elements a reply array may announce: a larger count is refused as a protocol
    /// error before hiredis allocates for it (see CHiredis/shim.h).
    public static let maxArrayElements = Int(CG_MAX_REPLY_ELEMENTS)

    deinit { cg_reader_free(reader) }

    /// Hands bytes to the reader (it copies them into its own buffer).
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let rc = redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        guard rc == REDIS_OK else { throw .unexpectedReply(errorText()) }
    }

    public func feed(_ bytes: [UInt8]) throws(RedisError) {
        var failure: RedisError?
        bytes.withUnsafeBytes { buf in
            do throws(RedisError) { try feed(buf) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The next complete reply, or nil until more bytes arrive. A protocol error is fatal for
    /// the connection (the stream can no longer be framed).
    public func next() throws(RedisError) -> RedisReply? {
        var reply: RedisReply?
        _ = try nextView { reply = $0.owned() }
        return reply
    }

    /// Lends the next complete reply to `body` without copying it (see `RedisReplyView`); false
    /// until more bytes arrive.
    public func nextView(_ body: (RedisReplyView) throws(RedisError) -> Void) throws(RedisError) -> Bool {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw .unexpectedReply(errorText()) }
        guard let raw else { return false }
        defer { freeReplyObject(raw) }
        try body(RedisReplyView(raw.assumingMemoryBound(to: redisReply.self)))
        return true
    }

    private func errorText() -> String {
        withUnsafeBytes(of: reader.pointee.errstr) { buf in
            String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

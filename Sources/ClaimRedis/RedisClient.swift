import CHiredis

/// A blocking Redis connection (hiredis `redisCommandArgv`): for `claimctl`, tests and
/// start-up, never for the gateway's event loop. Owns its `redisContext` (freed in `deinit`);
/// one thread at a time.
public final class RedisClient: RedisCommands {
    private let context: UnsafeMutablePointer<redisContext>
    public let endpoint: RedisEndpoint

    public init(_ endpoint: RedisEndpoint, timeoutMilliseconds: Int = 2000) throws(RedisError) {
        self.endpoint = endpoint
        let tv = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        guard let c = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), tv) else {
            throw .connection("cannot allocate a redis context")
        }
        if c.pointee.err != 0 {
            let message = Self.errorText(c)
            redisFree(c)
            throw .connection("\(endpoint): \(message)")
        }
        // Bound reply arrays as the gateway's reader does (CHiredis/shim.h says why).
        guard cg_context_bound_arrays(c) == 0 else {
            redisFree(c)
            throw .connection("cannot allocate a redis reader")
        }
        redisSetTimeout(c, tv)
        context = c
        if let auth = endpoint.authCommand, case .error(let m) = try command(auth) {
            throw .connection("\(endpoint): authentication refused: \(m)")
        }
        if endpoint.database != 0 { _ = try command(["SELECT", String(endpoint.database)]).orThrow() }
    }

    deinit { cg_context_free(context) }

    public var nodeCount: Int { 1 }

    /// Sends one command and waits for its reply. Error replies come back as `.error`.
    public func command(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        var lengths = args.map { $0.count }
        let raw: UnsafeMutableRawPointer? = withArgv(args) { argv in
            lengths.withUnsafeMutableBufferPointer { lens in
                redisCommandArgv(context, Int32(args.count), argv, lens.baseAddress)
            }
        }
        guard let raw else { throw .connection(Self.errorText(context)) }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    private func withArgv<R>(_ args: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R) -> R {
        // All arguments in one buffer (plus a trailing NUL so it is never empty); hiredis reads
        // each through a pointer and its length, only for the duration of `body`.
        var flat: [CChar] = []
        var offsets: [Int] = []
        for a in args {
            offsets.append(flat.count)
            flat.append(contentsOf: a.map { CChar(bitPattern: $0) })
        }
        flat.append(0)
        return flat.withUnsafeBufferPointer { buf in
            var pointers: [UnsafePointer<CChar>?] = offsets.map { buf.baseAddress! + $0 }
            pointers.append(nil)
            return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        }
    }

    private static func errorText(_ c: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: c.pointee.errstr) { buf in String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

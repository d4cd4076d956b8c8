import CHiredis

/// A blocking Redis connection (hiredis `redisCommandArgv`): for `claimctl`, tests and
/// start-up, never for the gateway's event loop. Owns its `redisContext` (freed in `deinit`);
/// one thread at a time.
public final class RedisClient: RedisCommands {
    private let context: UnsafeMutablePointer<redisContext>
    public let endpoint: RedisEndpoint
    /// A command failed on this connection: hiredis leaves the context unusable.
    private var broken = false
    /// Why the Redis's settings could not be checked (the user may not run INFO), if so.
    public private(set) var settingsUnverified: String?

    /// Connects, authenticates, and (`verifySettings`) refuses a Redis set wrong
    /// (`RedisServerSettings`) with `.misconfigured`: claimctl acts on no such Redis. Tests
    /// that set one up on purpose connect without the check.
    public init(_ endpoint: RedisEndpoint, timeoutMilliseconds: Int = 2000, verifySettings: Bool = true)
        throws(RedisError)
    {
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
        if let auth = endpoint.authCommand, case .error(let m) = try send(auth.map { Array($0.utf8) }) {
            throw .connection("\(endpoint): authentication refused: \(m)")
        }
        if endpoint.database != 0 {
            _ = try send([Array("SELECT".utf8), Array(String(endpoint.database).utf8)]).orThrow()
        }
        guard verifySettings else { return }
        switch try send(RedisServerSettings.command.map { Array($0.utf8) }) {
        case .error(let m) where RedisServerSettings.isUnverifiable(m): settingsUnverified = m
        case .error(let m): throw .server(m)
        case let reply:
            guard let info = reply.text else { throw .unexpectedReply("INFO: \(reply)") }
            if let problem = RedisServerSettings.problem(inInfo: info) { throw .misconfigured(problem) }
        }
    }

    deinit { cg_context_free(context) }

    public var nodeCount: Int { 1 }

    /// Sends a command, and its script's source once after NOSCRIPT (`RedisRoutePolicy`). A
    /// single Redis never redirects and is never waited for: a refusal is the answer.
    public func perform(resend: RedisResend, _ command: (_ sendSource: Bool) -> [[UInt8]]) throws(RedisError)
        -> RedisReply
    {
        var attempt = RedisRoutePolicy.Attempt(resend: resend)
        while true {
            let reply = try send(command(attempt.sentSource))
            guard case .error(let message) = reply else { return reply }
            guard RedisRoutePolicy().afterError(message, &attempt, canWait: false) == .sendSource else { return reply }
        }
    }

    /// Sends one command and waits for its reply. Error replies come back as `.error`. Throws
    /// `.connection` when the command was not fully written (Redis did not run it) and
    /// `.outcomeUnknown` when it was and no reply came in time (Redis may have run it); after
    /// either, this connection is done and every later command throws `.connection`.
    public func send(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        guard !broken else { throw .connection("\(endpoint): the connection failed earlier") }
        var lengths = args.map { $0.count }
        let appended = withArgv(args) { argv in
            lengths.withUnsafeMutableBufferPointer { lens in
                redisAppendCommandArgv(context, Int32(args.count), argv, lens.baseAddress)
            }
        }
        guard appended == REDIS_OK else { throw fail(written: false) }
        // Write the whole command first, so a failure is known to be before or after it left:
        // an incomplete command is never run by Redis.
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw fail(written: false) }
        }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw fail(written: true) }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Marks the connection failed and says what happened to the command.
    private func fail(written: Bool) -> RedisError {
        broken = true
        let why = "\(endpoint): \(Self.errorText(context))"
        return written ? .outcomeUnknown(why) : .connection(why)
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

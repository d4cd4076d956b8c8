import ClaimPOSIX
import Glibc

/// A non-blocking Redis connection for one event loop: commands are appended to one output
/// buffer and written together, replies are parsed with hiredis's reader as bytes arrive.
/// Replies come back in command order; matching them to requests is the owner's job.
///
/// The owner registers `fd` in its epoll, asks for writability while `wantsWritable`, and
/// calls `handleWritable` / `handleReadable`. Not thread-safe: one event loop owns it.
public final class RedisPipeline {
    public enum State: Hashable, Sendable {
        case disconnected
        case connecting
        case ready
    }

    public let endpoint: RedisEndpoint
    public private(set) var fd: Int32 = -1
    public private(set) var state: State = .disconnected
    private var outbox: [UInt8] = []
    private var written = 0
    /// Bytes of commands queued and written since the connection was opened: a command whose
    /// last byte is at or below `bytesWritten` has left for Redis (`bytesQueued` right after
    /// enqueueing it is that last byte). AUTH and SELECT count too: they go first.
    public private(set) var bytesQueued: UInt64 = 0
    public var bytesWritten: UInt64 { bytesQueued - UInt64(outbox.count - written) }
    private var reader = RedisReplyReader()
    /// Commands the pipeline sent itself, ahead of the owner's, whose replies the owner never
    /// sees: AUTH, SELECT, then the settings check.
    private enum Internal { case auth, select, settings }
    private var internalReplies: [Internal] = []
    /// While the settings check has not answered, only the bytes before this offset of the
    /// output buffer (the pipeline's own commands) may be written: nothing of the owner's runs
    /// on a Redis set wrong. Nil once checked.
    private var gate: Int?
    /// Why the settings could not be checked (the user may not run INFO), if so.
    public private(set) var settingsUnverified: String?
    /// Read scratch space, owned here and freed in `deinit`.
    private let scratch: UnsafeMutableRawBufferPointer

    public init(endpoint: RedisEndpoint) {
        self.endpoint = endpoint
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        outbox.reserveCapacity(64 * 1024)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// True while bytes wait to be written (and may be) or the connect is in progress.
    public var wantsWritable: Bool { state == .connecting || written < (gate ?? outbox.count) }

    /// Connected and the settings checked: the owner's commands go out.
    public var isVerified: Bool { state == .ready && gate == nil }

    /// Starts connecting. Commands may be enqueued at once; they are sent once connected.
    public func connect() throws(RedisError) {
        close()
        do {
            let (fd, connected) = try TCPSocket.connect(host: endpoint.host, port: endpoint.port)
            self.fd = fd
            state = connected ? .ready : .connecting
        } catch {
            throw .connection("\(endpoint): \(error)")
        }
        // AUTH first: with Redis ACLs, nothing else is allowed before it.
        if let auth = endpoint.authCommand {
            RESPEncoder.append(auth, to: &outbox)
            internalReplies.append(.auth)
        }
        if endpoint.database != 0 {
            RESPEncoder.append(["SELECT", String(endpoint.database)], to: &outbox)
            internalReplies.append(.select)
        }
        RESPEncoder.append(RedisServerSettings.command, to: &outbox)
        internalReplies.append(.settings)
        gate = outbox.count
        settingsUnverified = nil
        bytesQueued = UInt64(outbox.count)
    }

    /// Appends one command to the output buffer (sent by the next `flush`).
    public func enqueue(_ args: [[UInt8]]) {
        let before = outbox.count
        RESPEncoder.append(args, to: &outbox)
        bytesQueued += UInt64(outbox.count - before)
    }

    /// Appends one command that `write` encodes itself, straight into the output buffer (a
    /// pre-rendered `ClaimCommand`). It must append exactly one complete RESP command.
    public func enqueue(writing write: (inout [UInt8]) -> Void) {
        let before = outbox.count
        write(&outbox)
        bytesQueued += UInt64(outbox.count - before)
    }

    /// Writes as much of the output buffer as the socket takes now.
    public func flush() throws(RedisError) {
        guard state == .ready else { return }
        let end = gate ?? outbox.count
        while written < end {
            let r: IOResult
            do {
                r = try outbox.withUnsafeBytes { buf throws(POSIXError) in
                    try FileDescriptor.write(fd, UnsafeRawBufferPointer(rebasing: buf[written...]))
                }
            } catch { throw .connection("write: \(error)") }
            switch r {
            case .transferred(let n): written += n
            case .wouldBlock: return
            case .endOfFile: throw .connection("closed by redis")
            }
        }
        guard written == outbox.count else { return }  // the owner's commands wait for the check
        outbox.removeAll(keepingCapacity: true)
        written = 0
        if let g = gate { gate = g - end }
    }

    /// Call when epoll reports the socket writable: finishes a connect, then flushes.
    public func handleWritable() throws(RedisError) {
        if state == .connecting {
            let e = TCPSocket.pendingError(fd)
            guard e == 0 else { throw .connection("\(endpoint): connect errno \(e)") }
            state = .ready
        }
        try flush()
    }

    /// Call when epoll reports the socket readable: reads everything available and lends each
    /// complete reply to `deliver`, in order (see `RedisReplyView` for how long it lives).
    public func handleReadable(_ deliver: (RedisReplyView) -> Void) throws(RedisError) {
        while true {
            let r: IOResult
            do { r = try FileDescriptor.read(fd, into: scratch) } catch { throw .connection("read: \(error)") }
            switch r {
            case .transferred(let n):
                try reader.feed(UnsafeRawBufferPointer(rebasing: scratch[..<n]))
                var more = true
                while more {
                    more = try reader.nextView { reply throws(RedisError) in
                        guard internalReplies.isEmpty else { return try ownReply(reply.owned()) }
                        deliver(reply)
                    }
                }
                if n < scratch.count { return }
            case .wouldBlock: return
            case .endOfFile: throw .connection("closed by redis")
            }
        }
    }

    /// A reply to one of the pipeline's own commands: an error fails the connection, and the
    /// settings check opens the gate for the owner's commands or refuses the Redis.
    private func ownReply(_ reply: RedisReply) throws(RedisError) {
        let kind = internalReplies.removeFirst()
        switch (kind, reply) {
        case (.settings, .error(let m)) where RedisServerSettings.isUnverifiable(m):
            settingsUnverified = m
        case (_, .error(let m)): throw .server(m)
        case (.settings, _):
            guard let info = reply.text else { throw .unexpectedReply("INFO: \(reply)") }
            if let problem = RedisServerSettings.problem(inInfo: info) { throw .misconfigured(problem) }
        default: return
        }
        gate = nil
    }

    /// Drops the connection and everything queued on it.
    public func close() {
        if fd >= 0 { FileDescriptor.close(fd) }
        fd = -1
        state = .disconnected
        outbox.removeAll(keepingCapacity: true)
        written = 0
        bytesQueued = 0
        internalReplies.removeAll()
        gate = nil
        reader = RedisReplyReader()
    }
}

import ClaimPOSIX

/// One client connection's buffers: bytes read but not yet parsed, responses waiting to be
/// written, and the slots that keep pipelined responses in request order even when their
/// Redis replies finish out of order. Owned by one event loop.
public final class HTTPConnection {
    public let fd: Int32
    public let id: UInt64
    /// The client's IPv4 address, for per-address limits (0 if unknown).
    public var peer: UInt32 = 0
    private var inbound: [UInt8] = []
    private var parsed = 0
    private var outbound: [UInt8] = []
    private var sent = 0
    /// Responses by request sequence number, from `firstSeq`; nil while still being worked on.
    private var slots: [[UInt8]?] = []
    private var firstSeq: UInt64 = 0
    /// No more requests are read: the client asked to close, or sent something unparseable.
    public private(set) var stopReading = false
    /// The peer closed its sending side.
    public private(set) var peerClosed = false
    /// CLOCK_MONOTONIC of the last bytes read or response queued: for the idle timeout.
    public private(set) var lastActivity: UInt64 = MonotonicClock.nanoseconds()
    /// Since when part of a request has waited for the rest: for the request (slowloris) timeout.
    public private(set) var partialSince: UInt64?

    public init(fd: Int32, id: UInt64) {
        self.fd = fd
        self.id = id
    }

    /// Requests answered or being answered but not yet written.
    public var inFlight: Int { slots.count }
    public var hasUnsentOutput: Bool { sent < outbound.count }
    /// Everything answered and written, and nothing more will be read: close it.
    public var isFinished: Bool { (stopReading || peerClosed) && slots.isEmpty && !hasUnsentOutput }

    /// Reads what the socket has into the inbound buffer (at most `limit` bytes buffered).
    public func read(into scratch: UnsafeMutableRawBufferPointer) throws(POSIXError) -> IOResult {
        let r = try FileDescriptor.read(fd, into: scratch)
        switch r {
        case .transferred(let n):
            inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
            lastActivity = MonotonicClock.nanoseconds()
        case .endOfFile: peerClosed = true
        case .wouldBlock: break
        }
        return r
    }

    /// What `nextRequest` found in the buffer.
    public enum Next: Hashable, Sendable {
        /// No complete request yet.
        case incomplete
        /// One request was parsed and handed to the handler.
        case handled
        /// The bytes are not a request; nothing more is read from this connection.
        case failed(HTTPParseError)
    }

    /// Parses the next complete request in the buffer and lends it to `handle`, in place: the
    /// view's bytes are this connection's buffer, valid only until `handle` returns (the buffer
    /// is compacted after). A failure stops further reading.
    public func nextRequest(_ parser: HTTPRequestParser, _ handle: (HTTPRequestView) -> Void) -> Next {
        guard !stopReading, parsed < inbound.count else { return .incomplete }
        let next: Next = inbound.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[parsed...])
            switch parser.parseHead(bytes) {
            case .incomplete: return .incomplete
            case .failed(let e):
                stopReading = true
                return .failed(e)
            case .request(let head, let consumed):
                parsed += consumed
                if !head.keepAlive { stopReading = true }
                handle(HTTPRequestView(head: head, bytes: bytes))
                return .handled
            }
        }
        if parsed == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            parsed = 0
            partialSince = nil
        } else if partialSince == nil {
            partialSince = MonotonicClock.nanoseconds()
        }
        return next
    }

    /// Reserves the next response slot; the answer is given later with `complete`.
    public func reserveSlot() -> UInt64 {
        slots.append(nil)
        return firstSeq + UInt64(slots.count - 1)
    }

    /// Fills a slot and moves every leading ready response to the output buffer.
    public func complete(_ seq: UInt64, _ response: [UInt8]) {
        guard seq >= firstSeq, seq - firstSeq < UInt64(slots.count) else { return }
        slots[Int(seq - firstSeq)] = response
        lastActivity = MonotonicClock.nanoseconds()
        var ready = 0
        while ready < slots.count, let r = slots[ready] {
            outbound.append(contentsOf: r)
            ready += 1
        }
        if ready > 0 {
            slots.removeFirst(ready)
            firstSeq += UInt64(ready)
        }
    }

    /// Writes what the socket takes. Returns true when nothing is left to write.
    public func flush() throws(POSIXError) -> Bool {
        while sent < outbound.count {
            let r: IOResult
            do {
                r = try outbound.withUnsafeBytes { buf throws(POSIXError) in
                    try FileDescriptor.write(fd, UnsafeRawBufferPointer(rebasing: buf[sent...]))
                }
            } catch let e as POSIXError { throw e } catch { throw POSIXError("send", -1) }
            switch r {
            case .transferred(let n): sent += n
            case .wouldBlock: return false
            case .endOfFile: return false
            }
        }
        outbound.removeAll(keepingCapacity: true)
        sent = 0
        return true
    }

    /// Stops reading requests (shutdown, or an error answered with `Connection: close`).
    public func stop() { stopReading = true }
}

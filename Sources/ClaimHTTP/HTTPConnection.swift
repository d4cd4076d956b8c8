import ClaimPOSIX

/// One client connection's buffers: bytes read but not yet parsed, responses waiting to be
/// written, and the slots that keep pipelined responses in request order even when their
/// Redis replies finish out of order. Owned by one event loop.
public final class HTTPConnection {
    public let fd: Int32
    public let id: UInt64
    /// The client's IPv4 address, for per-address limits (0 if unknown).
    public var peer: UInt32 = 0
    /// Its registration in the event loop (set by the server that accepted it).
    public var registration: EventLoop.Registration?
    private var inbound: [UInt8] = []
    private var parsed = 0
    private var outbound: [UInt8] = []
    private var sent = 0
    /// The oldest request not yet answered, and the next sequence number to hand out.
    private var firstSeq: UInt64 = 0
    private var nextSeq: UInt64 = 0
    /// Answers that arrived before an earlier request's: `slots[slotHead + k]` is request
    /// `firstSeq + k`'s (nil while still being worked on). Empty in the common case, where each
    /// answer is the next one due and goes straight to `outbound`.
    private var slots: [[UInt8]?] = []
    private var slotHead = 0
    /// No more requests are read: the client asked to close, or sent something unparseable.
    public private(set) var stopReading = false
    /// The peer closed its sending side.
    public private(set) var peerClosed = false
    /// The loop's clock at the last bytes read or response queued: for the idle timeout.
    public private(set) var lastActivity: UInt64
    /// Since when part of a request has waited for the rest: for the request (slowloris) timeout.
    public private(set) var partialSince: UInt64?
    /// Where in `inbound` the request starts that `100 Continue` was sent for (once each).
    private var continuedAt: Int?
    /// Since when the connection has been closing gracefully: its answers are sent, its
    /// sending side shut, and what the client still sends is read and dropped until it closes
    /// (a close with unread bytes would reset the connection and could destroy the answer).
    public private(set) var lingeringSince: UInt64?

    public init(fd: Int32, id: UInt64, now: UInt64) {
        self.fd = fd
        self.id = id
        self.lastActivity = now
    }

    /// Requests being answered, or answered behind one that is not.
    public var inFlight: Int { Int(nextSeq - firstSeq) }
    public var hasUnsentOutput: Bool { sent < outbound.count }
    /// Everything answered and written, and nothing more will be read: close it.
    public var isFinished: Bool { (stopReading || peerClosed) && inFlight == 0 && !hasUnsentOutput }

    /// Reads what the socket has into the inbound buffer (at most `limit` bytes buffered).
    public func read(into scratch: UnsafeMutableRawBufferPointer, now: UInt64) throws(POSIXError) -> IOResult {
        let r = try FileDescriptor.read(fd, into: scratch)
        switch r {
        case .transferred(let n):
            inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
            lastActivity = now
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
    public func nextRequest(_ parser: HTTPRequestParser, now: UInt64, _ handle: (HTTPRequestView) -> Void) -> Next {
        guard !stopReading, parsed < inbound.count else { return .incomplete }
        let next: Next = inbound.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[parsed...])
            switch parser.parseHead(bytes) {
            case .incomplete: return .incomplete
            case .continueExpected:
                // Only when every earlier answer is queued: the 100 must not overtake them.
                if continuedAt != parsed, inFlight == 0 {
                    continuedAt = parsed
                    outbound.append(contentsOf: Self.continueLine)
                }
                return .incomplete
            case .failed(let e):
                stopReading = true
                return .failed(e)
            case .request(let head, let consumed):
                continuedAt = nil
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
            partialSince = now
        }
        return next
    }

    /// Reserves the next response's place in order; the answer is given later with `complete`.
    public func reserveSlot() -> UInt64 {
        nextSeq += 1
        return nextSeq - 1
    }

    /// Answers request `seq` with `response`: queued for writing now if it is the next due
    /// (with every later answer already waiting behind it), else held until it is.
    public func complete(_ seq: UInt64, now: UInt64, _ response: [UInt8]) {
        complete(seq, now: now) { $0.append(contentsOf: response) }
    }

    /// Answers request `seq` with what `write` appends: straight into the output buffer when
    /// it is the next due, so a response framed here is not copied again.
    public func complete(_ seq: UInt64, now: UInt64, _ write: (inout [UInt8]) -> Void) {
        guard seq >= firstSeq, seq < nextSeq else { return }
        lastActivity = now
        let k = Int(seq - firstSeq)
        guard k == 0 else {
            // Behind an answer still being worked on: it waits in its slot.
            while slots.count - slotHead <= k { slots.append(nil) }
            var held: [UInt8] = []
            write(&held)
            slots[slotHead + k] = held
            return
        }
        write(&outbound)
        firstSeq += 1
        if slotHead < slots.count { slotHead += 1 }
        while slotHead < slots.count, let r = slots[slotHead] {
            outbound.append(contentsOf: r)
            slots[slotHead] = nil
            slotHead += 1
            firstSeq += 1
        }
        if slotHead == slots.count, slotHead > 0 {
            slots.removeAll(keepingCapacity: true)
            slotHead = 0
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

    /// Everything is answered and sent: shuts the sending side and starts dropping what the
    /// client still sends, until it closes or the linger timeout (`ConnectionTimeouts`).
    public func beginLingering(now: UInt64) {
        guard lingeringSince == nil else { return }
        lingeringSince = now
        FileDescriptor.shutdownWrite(fd)
    }

    /// Reads and drops what the client sends while lingering (at most 16 reads a call, so a
    /// client that never stops cannot hold the loop); true once it has closed.
    public func drainInput(into scratch: UnsafeMutableRawBufferPointer) throws(POSIXError) -> Bool {
        for _ in 0..<16 {
            switch try FileDescriptor.read(fd, into: scratch) {
            case .transferred: continue
            case .wouldBlock: return false
            case .endOfFile:
                peerClosed = true
                return true
            }
        }
        return false
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}

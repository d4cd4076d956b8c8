import ClaimPOSIX

/// How many connections a server takes and how long it waits for them.
public struct HTTPServerSettings: Sendable {
    public var maxConnections = 20_000
    /// Open connections per client address; nil: no limit.
    public var maxConnectionsPerAddress: Int?
    /// Pipelined requests answered-but-unsent per connection before reading pauses.
    public var maxInFlightPerConnection = 64
    public var timeouts = ConnectionTimeouts(requestMilliseconds: 10_000, idleMilliseconds: 60_000)
    /// The header fields whose values the application reads (`HTTPRequestParser(fields:)`).
    public var fields: [StaticString] = []
    /// How accepting pauses when descriptors run out.
    public var acceptPause = AcceptPause()
    /// Header blocks (complete lines, each ending in CRLF) an application may attach to an
    /// answer through `HTTPAnswerSlot.headerSet`; at most 255.
    public var answerHeaderSets: [String] = []

    public init() {}
}

/// The HTTP/1.1 server side of one event loop: its listening socket, its connections (in a
/// `ConnectionTable`), per-address caps, the request and idle timeouts (`ConnectionTimeouts`),
/// and a graceful drain. It parses requests in place and lends them to its `HTTPApplication`,
/// which answers through `respond`; answers keep each connection's request order. It knows no
/// route and no application header's meaning.
///
/// Reading and parsing happen on events; answering and writing before the loop sleeps
/// (`flush`), so a connection's pipelined answers go out in one write. Not `Sendable`: one
/// loop's thread owns it.
public final class HTTPServer: EventHandler {
    private let loop: EventLoop
    private let settings: HTTPServerSettings
    // unowned(unsafe): the owner keeps the application alive as long as the server (it is
    // called for every request; a checked reference would cost a refcount check each time).
    private unowned(unsafe) let application: any HTTPApplication
    private let listener: Int32
    private var listenerRegistration: EventLoop.Registration?
    private let parser: HTTPRequestParser
    /// `settings.answerHeaderSets`, encoded once.
    private let answerHeaderSets: [[UInt8]]
    private var connections = ConnectionTable()
    private var connectionsPerAddress: [UInt32: Int] = [:]
    /// Read scratch space shared by all connections of this loop; owned here, freed in `deinit`.
    private let scratch: UnsafeMutableRawBufferPointer
    public private(set) var isDraining = false
    private var acceptPause: AcceptPause
    private var resumeTimer: TimerHeap.ID?
    /// The tag of the listener's registration (connections are tagged with their ids, which are
    /// at least `ConnectionTable.firstToken`).
    private static let listenerTag: UInt64 = 1

    /// Takes ownership of `listener` (a listening, non-blocking socket).
    public init(listener: Int32, loop: EventLoop, settings: HTTPServerSettings, application: any HTTPApplication)
        throws(POSIXError)
    {
        self.loop = loop
        self.settings = settings
        self.application = application
        self.listener = listener
        parser = HTTPRequestParser(fields: settings.fields)
        precondition(settings.answerHeaderSets.count <= 255, "at most 255 answer header sets")
        answerHeaderSets = settings.answerHeaderSets.map { Array($0.utf8) }
        acceptPause = settings.acceptPause
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        listenerRegistration = try loop.register(listener, .readable, handler: self, tag: Self.listenerTag)
        scheduleSweep()
    }

    deinit {
        for c in connections.all { FileDescriptor.close(c.fd) }
        if listenerRegistration != nil { FileDescriptor.close(listener) }
        scratch.deallocate()
    }

    public var connectionCount: Int { connections.count }

    // MARK: events

    public func handleEvents(_ events: EpollEvents, tag: UInt64) {
        if tag == Self.listenerTag { return acceptAll() }
        guard let conn = connections[tag] else { return }
        if conn.lingeringSince != nil {
            let closed = (try? conn.drainInput(into: scratch)) ?? true
            if closed || events.contains(.error) { close(conn) }
            return
        }
        if events.contains(.error) || (events.contains(.hangup) && !events.contains(.readable)) {
            return close(conn)
        }
        if events.contains(.readable) || events.contains(.hangup) { read(conn) }
        if events.contains(.writable) { connections.markDirty(conn) }
    }

    private func acceptAll() {
        while listenerRegistration != nil, !acceptPause.isPaused {
            let fd: Int32?
            do { fd = try TCPSocket.accept(listener) } catch {
                return pauseAccepting(error)
            }
            guard let fd else { return }
            guard connections.count < settings.maxConnections else {
                FileDescriptor.close(fd)
                continue
            }
            let peer = TCPSocket.peerIPv4(fd) ?? 0
            if let cap = settings.maxConnectionsPerAddress, connectionsPerAddress[peer, default: 0] >= cap {
                // Refused cleanly: an answer the client can read, then the close.
                application.connectionRefused()
                _ = try? application.overCapAnswer.withUnsafeBytes { try FileDescriptor.write(fd, $0) }
                FileDescriptor.close(fd)
                continue
            }
            let conn = connections.open(fd: fd, now: loop.now)
            conn.peer = peer
            do {
                conn.registration = try loop.register(fd, .readable, handler: self, tag: conn.id)
            } catch {
                connections.close(conn)
                FileDescriptor.close(fd)
                continue
            }
            connectionsPerAddress[peer, default: 0] += 1
            application.connectionsChanged(by: 1)
        }
    }

    /// `accept` failed (out of descriptors, most likely): the listener is left unwatched until
    /// the pause ends or a connection closes, so a level-triggered listener cannot spin.
    private func pauseAccepting(_ error: POSIXError) {
        guard let r = listenerRegistration else { return }
        let decision = acceptPause.failed(now: loop.now)
        // Should the kernel refuse the change, the pause flag alone keeps acceptAll from looping.
        _ = try? loop.modify(r, [])
        if let t = resumeTimer { loop.cancel(t) }
        // unowned(unsafe): as for the sweep, the loop fires this only while the server lives.
        resumeTimer = loop.schedule(at: decision.resumeAt) { [unowned(unsafe) self] in
            resumeTimer = nil
            resumeAccepting()
        }
        application.acceptPaused(error, report: decision.report)
    }

    private func resumeAccepting() {
        guard acceptPause.resume(), let r = listenerRegistration else { return }
        if let t = resumeTimer {
            loop.cancel(t)
            resumeTimer = nil
        }
        do { try loop.modify(r, .readable) } catch { return pauseAccepting(error) }
        // Level-triggered: connections already waiting in the backlog are reported at once.
    }

    private func read(_ conn: HTTPConnection) {
        guard !conn.stopReading, !conn.peerClosed, conn.inFlight < settings.maxInFlightPerConnection else { return }
        do { _ = try conn.read(into: scratch, now: loop.now) } catch { return close(conn) }
        parseBuffered(conn)
        connections.markDirty(conn)
    }

    /// Parses and hands on the requests already buffered, up to the in-flight bound.
    private func parseBuffered(_ conn: HTTPConnection) {
        while conn.inFlight < settings.maxInFlightPerConnection {
            let next = conn.nextRequest(parser, now: loop.now) { request in
                application.handle(
                    request, peer: conn.peer,
                    slot: HTTPAnswerSlot(
                        connection: conn.id, seq: conn.reserveSlot(), keepAlive: request.keepAlive,
                        http10: request.head.minorVersion == 0, omitsBody: request.method == .head))
            }
            switch next {
            case .incomplete: return
            case .handled: continue
            case .failed(let error):
                application.refuse(
                    .unparseable(error),
                    slot: HTTPAnswerSlot(connection: conn.id, seq: conn.reserveSlot(), keepAlive: false))
                return
            }
        }
    }

    // MARK: answers

    /// Whether an answer for `slot` keeps the connection open (not while draining).
    public func keepsAlive(_ slot: HTTPAnswerSlot) -> Bool { slot.keepAlive && !isDraining }

    /// Whether `slot` takes an answer framed beforehand for a kept HTTP/1.1 connection
    /// (`respond(_:framed:)`); an HTTP/1.0 client needs `Connection: keep-alive` said.
    public func takesFramedAnswer(_ slot: HTTPAnswerSlot) -> Bool {
        keepsAlive(slot) && !slot.http10 && !slot.omitsBody && slot.headerSet == 0
    }

    /// Frames the answer for `slot`, if its connection is still open.
    public func respond(
        _ slot: HTTPAnswerSlot, status: Int, body: [UInt8], headers: String = "",
        contentType: String = "application/json", omitBody: Bool = false
    ) {
        guard let conn = connections[slot.connection] else { return }
        let keep = keepsAlive(slot)
        if !keep { conn.stop() }
        let set = slot.headerSet == 0 ? [] : answerHeaderSets[Int(slot.headerSet) - 1]
        conn.complete(slot.seq, now: loop.now) { out in
            HTTPResponseWriter.append(
                status: status, body: body, keepAlive: keep, announceKeepAlive: slot.http10, extraHeaders: headers,
                headerSet: set, contentType: contentType, omitBody: omitBody || slot.omitsBody, to: &out)
        }
        connections.markDirty(conn)
    }

    /// Answers `slot` with bytes framed already for a kept HTTP/1.1 connection
    /// (`takesFramedAnswer(slot)` must be true): the pre-rendered sold-out answer.
    public func respond(_ slot: HTTPAnswerSlot, framed bytes: [UInt8]) {
        guard let conn = connections[slot.connection] else { return }
        conn.complete(slot.seq, now: loop.now, bytes)
        connections.markDirty(conn)
    }

    /// Before the loop sleeps: parses what waited for in-flight room, writes every answer
    /// queued this iteration, closes finished connections.
    public func flush() {
        while let conn = connections.nextDirty() {
            parseBuffered(conn)
            do { _ = try conn.flush() } catch {
                close(conn)
                continue
            }
            if conn.isFinished, conn.lingeringSince == nil {
                // The client may still be sending (a refused request's rest, a pipelined
                // request after `Connection: close`): closing now could reset the connection
                // before it reads the answer, so shut our side and drop its bytes until it closes.
                guard !conn.peerClosed else {
                    close(conn)
                    continue
                }
                conn.beginLingering(now: loop.now)
            }
            updateInterest(conn)
        }
    }

    private func updateInterest(_ conn: HTTPConnection) {
        var want: EpollEvents = []
        if conn.lingeringSince != nil {
            want = .readable
        } else if !conn.stopReading, !conn.peerClosed, conn.inFlight < settings.maxInFlightPerConnection {
            want.insert(.readable)
        }
        if conn.hasUnsentOutput { want.insert(.writable) }
        guard connections.interest(of: conn) != want, let r = conn.registration else { return }
        do { try loop.modify(r, want) } catch { return close(conn) }
        connections.setInterest(want, of: conn)
    }

    private func close(_ conn: HTTPConnection) {
        guard connections.close(conn) else { return }
        if let n = connectionsPerAddress[conn.peer] { connectionsPerAddress[conn.peer] = n > 1 ? n - 1 : nil }
        if let r = conn.registration { loop.unregister(r) }
        conn.registration = nil
        FileDescriptor.close(conn.fd)
        application.connectionsChanged(by: -1)
        // A descriptor is free again: a paused listener may take the next client now.
        if acceptPause.isPaused { resumeAccepting() }
    }

    // MARK: timeouts and draining

    private func scheduleSweep() {
        // unowned(unsafe): the loop runs this only while its owner, which owns this server too,
        // is alive; a weak reference would put every retain of the server on the slow path.
        loop.schedule(at: loop.now + settings.timeouts.sweepNanoseconds) { [unowned(unsafe) self] in
            sweep()
            scheduleSweep()
        }
    }

    /// Answers 408 to requests left half-sent too long and closes idle keep-alive connections.
    func sweep() {
        for conn in connections.all {
            switch settings.timeouts.action(
                partialSince: conn.partialSince, stopReading: conn.stopReading, lastActivity: conn.lastActivity,
                inFlight: conn.inFlight, hasUnsentOutput: conn.hasUnsentOutput, lingeringSince: conn.lingeringSince,
                now: loop.now)
            {
            case .keep: continue
            case .close: close(conn)
            case .answerRequestTimeout:
                conn.stop()
                application.refuse(
                    .timedOut, slot: HTTPAnswerSlot(connection: conn.id, seq: conn.reserveSlot(), keepAlive: false))
            }
        }
    }

    /// Stops accepting, answers what is in flight with `Connection: close`, reads nothing more.
    public func beginDrain() {
        guard !isDraining else { return }
        isDraining = true
        if let r = listenerRegistration {
            loop.unregister(r)
            FileDescriptor.close(listener)
            listenerRegistration = nil
        }
        for conn in connections.all {
            conn.stop()
            connections.markDirty(conn)
        }
    }

    /// Closes every connection (the loop is ending).
    public func closeAll() {
        for c in connections.all { close(c) }
    }
}

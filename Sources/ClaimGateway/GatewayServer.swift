import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Logging

/// One event loop: it owns the listening socket, its client connections and its pipelined
/// Redis connections (one to a single Redis, one per master of a cluster), all in one epoll.
/// Claims that arrive in the same loop iteration go to each node in one write; replies are
/// matched to requests in order.
///
/// Not `Sendable`: create it on the thread that runs it.
public final class GatewayServer {
    // epoll tokens: small numbers for the fixed descriptors and Redis links; connections' tokens
    // are at least ConnectionTable.firstToken.
    private static let listenerToken: UInt64 = 1
    private static let stopTokenBase: UInt64 = 3
    /// One token per Redis link; a cluster with more masters than this is refused links.
    static let redisTokenBase: UInt64 = 512
    static let maxRedisLinks: UInt64 = 512

    let config: GatewayConfig
    let programme: Programme
    let planner: ClaimPlanner
    let verifier: TokenVerifier
    let storeVerifier: TokenVerifier?
    let logger: Logger
    let metrics: GatewayMetrics
    /// Windows Redis said are sold out, answered here until a recheck finds stock again.
    var soldOut: SoldOutMarks
    /// The whole keep-alive `sold_out` answer per pool, framed once: the storm after a sell-out
    /// is answered by copying these bytes.
    lazy var soldOutAnswers: [[UInt8]] = programme.pools.map { pool in
        let r = ResponseBody.claim(.soldOut, pool: pool, calendar: programme.calendar, now: config.clock.now())
        var bytes: [UInt8] = []
        HTTPResponseWriter.append(
            status: r.status, body: r.body, keepAlive: true, extraHeaders: r.headers, contentType: r.contentType,
            to: &bytes)
        return bytes
    }
    private var nextSoldOutCheck: UInt64 = 0
    /// The claim command (per pool segment) and the grant's body (per pool), pre-rendered for
    /// the window each is in; rebuilt when the window moves on.
    var claimCommands: [[ClaimCommand?]]
    /// This iteration's claim batches: the one open per pool segment, and all of them in the
    /// order they were opened (sent in that order at the end of the iteration).
    var openBatches: [[ClaimBatch?]]
    var batchesToSend: [ClaimBatch] = []
    var batchedClaims = 0
    var grantAnswers: [GrantAnswer?]
    /// Reused for each granted claim's body, framed into its connection right after.
    var grantBody: [UInt8] = []
    /// Abuse limits, per person and per client address (nil: no limit); a bucket that is full
    /// again is reused, so a crowd of one-off claimants does not grow them without bound.
    var personBuckets: RateLimitTable?
    var addressBuckets: RateLimitTable?
    private var connectionsPerAddress: [UInt32: Int] = [:]
    private var nextSweep: UInt64 = 0
    let epoll: Epoll
    /// The Redis nodes this loop talks to; `links[0]` is the single Redis, or the first seed.
    var links: [RedisLink] = []
    /// A cluster's slot map (nil: a single Redis, or a cluster not yet discovered) and each
    /// master's link, by the map's master index.
    var slotMap: ClusterSlotMap?
    var masterLinks: [RedisLink] = []
    var topologyRefreshAt: UInt64?
    var topologyInFlight = false
    private let parser = HTTPRequestParser()
    /// Pool ids by their bytes, for routing without Strings.
    let pools: PoolDirectory
    private var connections = ConnectionTable()
    private var listenerOpen = true
    private var drainDeadline: UInt64?
    /// Read scratch space shared by all connections of this loop; freed in `deinit`.
    private let scratch: UnsafeMutableRawBufferPointer

    public init(config: GatewayConfig) throws(POSIXError) {
        self.config = config
        self.programme = config.programme
        self.planner = ClaimPlanner(programme: config.programme)
        self.verifier = TokenVerifier(
            keyring: config.tokenKeys, clockSkewMilliseconds: config.tokenClockSkewMilliseconds)
        self.storeVerifier = config.storeQRSecret.map { TokenVerifier(secret: $0) }
        self.logger = config.logger
        self.metrics = GatewayMetrics(prometheus: config.metrics, pools: config.programme.pools)
        self.pools = PoolDirectory(ids: config.programme.pools.map(\.id))
        self.soldOut = SoldOutMarks(segmentsPerPool: config.programme.pools.map(\.segmentCount))
        self.claimCommands = config.programme.pools.map { [ClaimCommand?](repeating: nil, count: $0.segmentCount) }
        self.openBatches = config.programme.pools.map { [ClaimBatch?](repeating: nil, count: $0.segmentCount) }
        self.grantAnswers = config.programme.pools.map { _ in nil }
        self.personBuckets = config.personRate.map { RateLimitTable(limit: $0, seed: .random(in: .min ... .max)) }
        self.addressBuckets = config.addressRate.map { RateLimitTable(limit: $0, seed: .random(in: .min ... .max)) }
        self.epoll = try Epoll()
        let first = config.clusterSeeds.first ?? config.redis
        self.links = [RedisLink(endpoint: first, token: Self.redisTokenBase)]
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        try epoll.add(config.listener, .readable, token: Self.listenerToken)
        for (i, fd) in config.stopDescriptors.enumerated() {
            try epoll.add(fd, .readable, token: Self.stopTokenBase + UInt64(i))
        }
    }

    deinit {
        for c in connections.all { FileDescriptor.close(c.fd) }
        if listenerOpen { FileDescriptor.close(config.listener) }
        scratch.deallocate()
    }

    var isDraining: Bool { drainDeadline != nil }
    var isCluster: Bool { !config.clusterSeeds.isEmpty }
    /// Claims may be sent: the Redis is connected (or connecting), or the cluster's map is
    /// known and some master is.
    var redisUsable: Bool {
        isCluster ? slotMap != nil && masterLinks.contains { $0.isUsable } : links[0].isUsable
    }
    /// For /healthz: every node this loop needs is connected.
    var redisReady: Bool {
        isCluster ? slotMap != nil && masterLinks.allSatisfy { $0.isReady } : links[0].isReady
    }

    /// Serves until a stop descriptor fires, then drains and returns.
    public func run() throws(POSIXError) {
        logger.info(
            "serving",
            metadata: ["programme": "\(programme.id)", "pools": "\(programme.pools.count)", "redis": "\(config.redis)"])
        startRedis()
        while true {
            try epoll.wait(timeoutMilliseconds: 100) { token, events in handle(token, events) }
            afterEvents()
            if let deadline = drainDeadline {
                let idle = pendingCount == 0 && connections.count == 0
                if idle || MonotonicClock.nanoseconds() >= deadline { break }
            }
        }
        for c in connections.all { close(c) }
        for link in links { link.pipeline.close() }
        logger.info("stopped")
    }

    // MARK: events

    private func handle(_ token: UInt64, _ events: EpollEvents) {
        switch token {
        case Self.listenerToken: acceptAll()
        case Self.stopTokenBase..<Self.redisTokenBase: beginDrain()
        case Self.redisTokenBase..<ConnectionTable.firstToken:
            let i = Int(token - Self.redisTokenBase)
            if i < links.count { handleRedis(links[i], events) }
        default:
            guard let conn = connections[token] else { return }
            if events.contains(.error) || (events.contains(.hangup) && !events.contains(.readable)) {
                close(conn)
                return
            }
            if events.contains(.readable) || events.contains(.hangup) { read(conn) }
            if events.contains(.writable) { connections.markDirty(conn) }
        }
    }

    private func acceptAll() {
        while listenerOpen {
            let fd: Int32?
            do { fd = try TCPSocket.accept(config.listener) } catch {
                logger.error("accept failed", metadata: ["error": "\(error)"])
                return
            }
            guard let fd else { return }
            guard connections.count < config.maxConnections else {
                FileDescriptor.close(fd)
                continue
            }
            let peer = TCPSocket.peerIPv4(fd) ?? 0
            if let cap = config.maxConnectionsPerAddress, connectionsPerAddress[peer, default: 0] >= cap {
                // Refused cleanly: a 429 the client can read, then the close.
                metrics.rateLimitedConnections.increment()
                _ = try? Self.tooManyConnections.withUnsafeBytes { try FileDescriptor.write(fd, $0) }
                FileDescriptor.close(fd)
                continue
            }
            connectionsPerAddress[peer, default: 0] += 1
            let conn = connections.open(fd: fd)
            conn.peer = peer
            do { try epoll.add(fd, .readable, token: conn.id) } catch {
                connections.close(conn)
                FileDescriptor.close(fd)
                connectionsPerAddress[peer, default: 1] -= 1
                continue
            }
            metrics.openConnections.increment()
        }
    }

    private func read(_ conn: HTTPConnection) {
        guard !conn.stopReading, !conn.peerClosed, conn.inFlight < config.maxInFlightPerConnection else { return }
        do { _ = try conn.read(into: scratch) } catch {
            close(conn)
            return
        }
        processBuffered(conn)
        connections.markDirty(conn)
    }

    /// Parses and dispatches the requests already buffered, up to the in-flight bound.
    private func processBuffered(_ conn: HTTPConnection) {
        while conn.inFlight < config.maxInFlightPerConnection {
            switch conn.nextRequest(parser, { dispatch($0, on: conn) }) {
            case .incomplete: return
            case .handled: continue
            case .failed(let error):
                let seq = conn.reserveSlot()
                let response = GatewayResponse.error(
                    error.status == 431
                        ? .headersTooLarge
                        : error.status == 413
                            ? .payloadTooLarge
                            : error.status == 501 ? .notImplemented : .badRequest,
                    error.message)
                answer(conn, seq, GatewayResponse(status: error.status, body: response.body), keepAlive: false)
                return
            }
        }
    }

    /// Frames `response` into the connection's slot `seq`.
    /// Frames and queues raw response bytes (already framed: the pre-rendered sold-out answer).
    func answer(_ conn: HTTPConnection, _ seq: UInt64, framed bytes: [UInt8], keepAlive: Bool) {
        if !keepAlive { conn.stop() }
        conn.complete(seq, bytes)
        connections.markDirty(conn)
    }

    func answer(
        _ conn: HTTPConnection, _ seq: UInt64, _ response: GatewayResponse, keepAlive: Bool, omitBody: Bool = false
    ) {
        let keep = keepAlive && !isDraining
        if !keep { conn.stop() }
        conn.complete(seq) { out in
            HTTPResponseWriter.append(
                status: response.status, body: response.body, keepAlive: keep, extraHeaders: response.headers,
                contentType: response.contentType, omitBody: omitBody, to: &out)
        }
        connections.markDirty(conn)
    }

    /// Answers a pending call's slot, if its connection is still open.
    func answer(_ call: PendingCall, _ response: GatewayResponse) {
        guard let conn = connections[call.connection] else { return }
        answer(conn, call.seq, response, keepAlive: call.keepAlive)
    }

    private func afterEvents() {
        // Requests parsed this iteration have queued their Redis commands: one write for all.
        while let conn = connections.nextDirty() {
            processBuffered(conn)
            do { _ = try conn.flush() } catch {
                close(conn)
                continue
            }
            if conn.isFinished { close(conn) } else { updateInterest(conn) }
        }
        sendBatches()
        let now = MonotonicClock.nanoseconds()
        tendRedis(now)
        if now >= nextSweep {
            nextSweep =
                now
                + min(1_000_000_000, min(config.idleTimeoutMilliseconds, config.requestTimeoutMilliseconds) * 500_000)
            sweepTimeouts(now)
        }
        if !soldOut.isEmpty, now >= nextSoldOutCheck {
            nextSoldOutCheck = now + config.soldOutRecheckMilliseconds * 1_000_000
            recheckSoldOut()
        }
    }

    private func updateInterest(_ conn: HTTPConnection) {
        var want: EpollEvents = []
        if !conn.stopReading, !conn.peerClosed, conn.inFlight < config.maxInFlightPerConnection {
            want.insert(.readable)
        }
        if conn.hasUnsentOutput { want.insert(.writable) }
        guard connections.interest(of: conn) != want else { return }
        do { try epoll.modify(conn.fd, want, token: conn.id) } catch {
            close(conn)
            return
        }
        connections.setInterest(want, of: conn)
    }

    private func close(_ conn: HTTPConnection) {
        guard connections.close(conn) else { return }
        if let n = connectionsPerAddress[conn.peer] { connectionsPerAddress[conn.peer] = n > 1 ? n - 1 : nil }
        epoll.remove(conn.fd)
        FileDescriptor.close(conn.fd)
        metrics.openConnections.decrement()
    }

    private func beginDrain() {
        guard drainDeadline == nil else { return }
        logger.info(
            "stop requested: draining",
            metadata: ["connections": "\(connections.count)", "redis_calls": "\(pendingCount)"])
        drainDeadline = MonotonicClock.nanoseconds() + config.drainTimeoutMilliseconds * 1_000_000
        // Level-triggered and shared with other loops: stop watching, or it would fire forever.
        for fd in config.stopDescriptors { epoll.remove(fd) }
        if listenerOpen {
            epoll.remove(config.listener)
            FileDescriptor.close(config.listener)
            listenerOpen = false
        }
        for conn in connections.all {
            conn.stop()
            connections.markDirty(conn)
        }
    }

    /// Answers 408 to requests left half-sent too long and closes idle keep-alive connections.
    private func sweepTimeouts(_ now: UInt64) {
        let idle = config.idleTimeoutMilliseconds * 1_000_000
        let slow = config.requestTimeoutMilliseconds * 1_000_000
        for conn in connections.all {
            if let since = conn.partialSince, !conn.stopReading, now - since > slow {
                answer(
                    conn, conn.reserveSlot(), .error(.requestTimeout, "the request was not completed in time"),
                    keepAlive: false)
            } else if conn.inFlight == 0, !conn.hasUnsentOutput, now - conn.lastActivity > idle {
                close(conn)
            }
        }
    }

    /// The answer to a connection over the per-address cap.
    private static let tooManyConnections: [UInt8] = {
        let body = Array(#"{"error":"rate_limited","message":"too many connections from your address"}"#.utf8)
        var out: [UInt8] = []
        HTTPResponseWriter.append(
            status: 429, body: body, keepAlive: false, extraHeaders: "Retry-After: 1\r\n", to: &out)
        return out
    }()
}

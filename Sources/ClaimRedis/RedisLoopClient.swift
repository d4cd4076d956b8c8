import ClaimPOSIX

/// What a `RedisLoopClient` tells its owner about itself: for metrics and operators' logs.
public protocol RedisLoopClientObserver: AnyObject {
    func redisRoundTrip(nanoseconds: UInt64)
    /// Commands written to one node in one flush.
    func redisPipelineDepth(_ commands: Int)
    /// A failed call, link or map.
    func redisError()
    /// Writes answered after a `WAIT` that reached fewer replicas than asked.
    func redisReplicationShort(writes: Int)
    /// A link is connected and its Redis's settings checked; `unverified`: why they could not be.
    func redisConnected(_ endpoint: RedisEndpoint, unverified: String?)
    /// A Redis refused for its settings (`RedisServerSettings`): nothing is sent to it, and it
    /// is checked again at every reconnect.
    func redisMisconfigured(_ endpoint: RedisEndpoint, problem: String)
    /// A link failed (logged on the first failure and every 20th in a row).
    func redisUnavailable(_ endpoint: RedisEndpoint, reason: String, failedCalls: Int, failuresInARow: Int)
    func redisSlotMap(_ map: ClusterSlotMap)
    func redisSlotMapUnreadable(_ error: RedisError)
}

/// How a `RedisLoopClient` reaches Redis and how long it waits.
public struct RedisLoopClientSettings: Sendable {
    public var target: RedisTarget
    /// A reply later than this fails its link: every call on it fails, and it reconnects.
    public var timeoutMilliseconds: UInt64 = 3000
    public var reconnectMilliseconds: UInt64 = 500
    /// A link not ready this long after its connect began (the handshake, AUTH, the settings
    /// check) is given up: across a partition a SYN is dropped, and TCP would wait a second for
    /// its first retransmission while calls queue behind it.
    public var connectTimeoutMilliseconds: UInt64 = 250
    /// Each write's reply waits until this many replicas have it (one `WAIT` per flush: group
    /// commit); 0: answered as soon as the master has it.
    public var waitReplicas = 0
    public var waitTimeoutMilliseconds = 100

    public init(target: RedisTarget) { self.target = target }
}

/// One event loop's Redis client, the only one the gateway has: a pipelined link per node (a
/// single Redis, or each cluster node met), commands routed by their key's slot, replies matched
/// in order and lent in place, the slot map learnt with `CLUSTER SLOTS`, and every decision after
/// a reply or a failure taken by `RedisRoutePolicy` (the same rule claimctl's blocking client
/// follows): MOVED and ASK followed, NOSCRIPT answered with the source, a refusal or a lost
/// connection reported as not run or as an unknown outcome, never resent. With
/// `waitReplicas`, every write, redirected or not, is answered after the `WAIT` behind it.
///
/// Nothing blocks. Links are registered in the loop; flushing happens before the loop sleeps,
/// timeouts and reconnects on a 100 ms timer. Not `Sendable`: one loop's thread owns it.
public final class RedisLoopClient: EventHandler {
    private let settings: RedisLoopClientSettings
    private let loop: EventLoop
    /// Told about round trips, errors and the map (metrics and logs); nil: nobody listens.
    /// unowned(unsafe): the owner sets itself and outlives the client (a weak reference would put
    /// every retain of the owner on the slow path).
    public unowned(unsafe) var observer: (any RedisLoopClientObserver)?
    private let policy = RedisRoutePolicy()
    /// Every node met; `links[0]` is the single Redis, or the first seed.
    private var links: [RedisNodeLink] = []
    /// A cluster's slot map (nil: a single Redis, or not learnt yet) and each master's link.
    private var slotMap: ClusterSlotMap?
    private var masterLinks: [RedisNodeLink] = []
    private var topologyRefreshAt: UInt64?
    private var topologyInFlight = false
    private var tick: TimerHeap.ID?
    /// A cluster with more nodes than this is refused links.
    static let maxLinks = 512

    public init(settings: RedisLoopClientSettings, loop: EventLoop) {
        self.settings = settings
        self.loop = loop
        links = [RedisNodeLink(endpoint: settings.target.first, index: 0)]
    }

    private var isCluster: Bool { if case .cluster = settings.target { true } else { false } }

    /// Connects, asks a cluster for its map, and starts the timer for timeouts and reconnects.
    /// The owner calls `flush` before the loop sleeps.
    public func start() {
        for link in links { connect(link) }
        if isCluster { requestTopology() }
        scheduleTick()
    }

    private func scheduleTick() {
        // unowned(unsafe): the loop runs this only while its owner, which owns this client too, is
        // alive; a weak reference would put every retain of the client on the slow path.
        tick = loop.schedule(afterMilliseconds: 100) { [unowned(unsafe) self] in
            tend(loop.now)
            scheduleTick()
        }
    }

    /// Closes every link (its calls get no answer: the loop is ending).
    public func close() {
        if let tick { loop.cancel(tick) }
        for link in links {
            if let r = link.registration { loop.unregister(r) }
            link.registration = nil
            link.pipeline.close()
        }
    }

    /// Calls may be sent: the Redis is connected (or connecting), or the cluster's map is known
    /// and some master is.
    public var isUsable: Bool {
        isCluster ? slotMap != nil && masterLinks.contains { $0.isUsable } : links[0].isUsable
    }

    /// Every node needed is connected (for /healthz).
    public var isReady: Bool {
        isCluster ? slotMap != nil && masterLinks.allSatisfy { $0.isReady } : links[0].isReady
    }

    /// Requests waiting on Redis (a claim batch counts each of its claims).
    public var pendingRequests: Int { links.reduce(0) { $0 + $1.pendingRequests } }

    /// Calls not answered yet, on every link.
    public var pendingCalls: Int { links.reduce(0) { $0 + $1.pendingCount } }

    /// Claim batches sent to the node serving `slot` and not answered yet.
    public func batchesInFlight(slot: Int) -> Int { link(forSlot: slot)?.batchesInFlight ?? 0 }

    /// Queues `owner`'s command `tag` for the node serving `slot` (sent before the loop sleeps).
    /// False if no node can take it now: nothing was queued, and the owner answers at once.
    public func send(slot: Int, shape: RedisCallShape, owner: any RedisCallOwner, tag: Int) -> Bool {
        guard let link = link(forSlot: slot), link.isUsable else { return false }
        let call = RedisNodeLink.Call(
            kind: .owned(owner, tag: tag), shape: shape, attempt: .init(resend: shape.resend))
        enqueue(call, on: link)
        return true
    }

    private func enqueue(_ call: RedisNodeLink.Call, on link: RedisNodeLink) {
        link.enqueue(call, at: loop.now) { out in
            switch call.kind {
            case .owned(let owner, let tag): owner.writeCommand(tag: tag, sendSource: call.attempt.sentSource, to: &out)
            case .asking: RESPEncoder.append([Array("ASKING".utf8)], to: &out)
            case .topology: RESPEncoder.append([Array("CLUSTER".utf8), Array("SLOTS".utf8)], to: &out)
            case .replicaAck:
                RESPEncoder.append(
                    ["WAIT", String(settings.waitReplicas), String(settings.waitTimeoutMilliseconds)], to: &out)
            }
        }
    }

    /// The link for a slot: the single Redis, or the master that serves the slot.
    private func link(forSlot slot: Int) -> RedisNodeLink? {
        guard isCluster else { return links[0] }
        guard let map = slotMap, let m = map.master(ofSlot: slot), m < masterLinks.count else { return nil }
        return masterLinks[m]
    }

    // MARK: events

    public func handleEvents(_ events: EpollEvents, tag: UInt64) {
        guard Int(tag) < links.count else { return }
        let link = links[Int(tag)]
        let wasReady = link.isReady
        do throws(RedisError) {
            if events.contains(.writable) || link.pipeline.state == .connecting { try link.pipeline.handleWritable() }
            if events.contains(.readable) {
                try link.pipeline.handleReadable { reply in deliver(reply, on: link) }
                link.compact()
                link.failuresInARow = 0
            }
            if events.contains(.error) || events.contains(.hangup) { throw .connection("hung up") }
        } catch {
            if case .misconfigured(let problem) = error {
                observer?.redisMisconfigured(link.endpoint, problem: problem)
            }
            return failLink(link, "\(error)")
        }
        if !wasReady, link.isReady {
            link.failuresInARow = 0
            observer?.redisConnected(link.endpoint, unverified: link.pipeline.settingsUnverified)
        }
    }

    /// A reply read in place, for the call at the head of the link's FIFO.
    private func deliver(_ reply: RedisReplyView, on link: RedisNodeLink) {
        guard var call = link.popCall() else { return }
        observer?.redisRoundTrip(nanoseconds: loop.now &- call.sentAt)
        switch call.kind {
        case .asking: return
        case .topology:
            topologyInFlight = false
            return applyTopology(reply.owned())
        case .replicaAck:
            return releaseWrites(on: link, replicas: Int(reply.integer ?? 0))
        case .owned(let owner, let tag):
            if let message = reply.errorMessage {
                // Decided before any hold for WAIT: a refused command did not run, so there is
                // nothing for replicas to have.
                switch policy.afterError(message, &call.attempt, canWait: false) {
                case .answer: break
                case .follow(let redirect): return follow(redirect, call)
                case .sendSource: return enqueue(call, on: link)
                case .retry, .fail(.outcomeUnknown): return fail(call, .notRun(message))
                case .fail(let failure): return fail(call, failure)
                }
            } else if settings.waitReplicas > 0, call.shape.isWrite {
                link.awaitingReplicas.append((call, reply.owned()))
                return
            }
            owner.replied(tag: tag, reply)
        }
    }

    /// `counted`: the failure counts as a Redis error of its own (a link's failure counts once).
    private func fail(_ call: RedisNodeLink.Call, _ failure: RedisRoutePolicy.Failure, counted: Bool = true) {
        if counted { observer?.redisError() }
        if case .owned(let owner, let tag) = call.kind { owner.failed(tag: tag, failure) }
    }

    /// `WAIT` answered: the writes held before it are answered now. Fewer replicas than asked
    /// (its timeout passed) is counted; the writes are on the master, so they are answered.
    private func releaseWrites(on link: RedisNodeLink, replicas: Int) {
        let held = link.awaitingReplicas
        link.awaitingReplicas.removeAll(keepingCapacity: true)
        if replicas < settings.waitReplicas, !held.isEmpty { observer?.redisReplicationShort(writes: held.count) }
        for (call, reply) in held {
            if case .owned(let owner, let tag) = call.kind { owner.replied(tag: tag, owned: reply) }
        }
    }

    /// MOVED: the map is stale (refresh it) and the call goes to the named node. ASK: the slot
    /// is migrating; the call goes there once, after `ASKING`. Either way through `enqueue`, so
    /// the call gets a new send time and, if it writes, the WAIT behind it.
    private func follow(_ redirect: ClusterRedirect, _ call: RedisNodeLink.Call) {
        if redirect.kind == .moved, !topologyInFlight { topologyRefreshAt = 0 }
        guard let link = link(for: redirect.endpoint(like: links[0].endpoint)), link.isUsable else {
            return fail(call, .notRun("redirected to \(redirect.host):\(redirect.port), which is unreachable"))
        }
        if redirect.kind == .ask { enqueue(.own(.asking), on: link) }
        enqueue(call, on: link)
    }

    /// The link to `endpoint`, opened on first use.
    private func link(for endpoint: RedisEndpoint) -> RedisNodeLink? {
        if let l = links.first(where: { $0.endpoint == endpoint }) {
            if l.retired {
                l.retired = false
                if !l.isUsable, l.retryAt == nil { connect(l) }
            }
            return l
        }
        guard links.count < Self.maxLinks else { return nil }
        let l = RedisNodeLink(endpoint: endpoint, index: links.count)
        links.append(l)
        connect(l)
        return l
    }

    private func connect(_ link: RedisNodeLink) {
        link.connectBegan = loop.now
        do {
            try link.pipeline.connect()
            link.registration = try loop.register(
                link.pipeline.fd, [.readable, .writable], handler: self, tag: UInt64(link.index))
            link.interest = [.readable, .writable]
        } catch {
            failLink(link, "\(error)")
        }
    }

    // MARK: the map

    /// Asks a connected node (else the seeds, in turn) for `CLUSTER SLOTS`.
    private func requestTopology() {
        guard case .cluster(let seeds) = settings.target else { return }
        let asked: RedisNodeLink?
        if let l = (masterLinks + links).first(where: \.isUsable) {
            asked = l
        } else {
            // Nothing is connected: try the next seed (each retry moves on, so a dead first seed
            // does not keep the loop blind).
            asked = link(for: seeds[Int(loop.now / 1_000_000) % seeds.count])
        }
        guard let link = asked, link.isUsable else {
            topologyRefreshAt = loop.now + settings.reconnectMilliseconds * 1_000_000
            return
        }
        topologyInFlight = true
        enqueue(.own(.topology), on: link)
    }

    private func applyTopology(_ reply: RedisReply) {
        do throws(RedisError) {
            let map = try ClusterSlotMap(clusterSlots: reply, seed: links[0].endpoint)
            var masters: [RedisNodeLink] = []
            for m in map.masters {
                guard let l = link(for: m) else { throw .connection("too many cluster nodes") }
                masters.append(l)
            }
            if map != slotMap { observer?.redisSlotMap(map) }
            slotMap = map
            masterLinks = masters
            // A node that left the map (a dead master, replaced by its replica) stops being
            // retried once nothing waits on it.
            for l in links where !masters.contains(where: { $0 === l }) && l.pendingCount == 0 && !l.isReady {
                l.retired = true
                l.retryAt = nil
            }
        } catch {
            observer?.redisError()
            observer?.redisSlotMapUnreadable(error)
            topologyRefreshAt = loop.now + settings.reconnectMilliseconds * 1_000_000
        }
    }

    // MARK: flushing, timeouts, failures

    /// Writes every link's queued commands (and the `WAIT` behind a flush's writes).
    public func flush() {
        for link in links { flush(link) }
    }

    private func flush(_ link: RedisNodeLink) {
        guard link.isUsable else { return }
        if settings.waitReplicas > 0, link.writesSinceWait > 0 {
            // One WAIT per flush: group commit of every write in it.
            link.writesSinceWait = 0
            enqueue(.own(.replicaAck), on: link)
        }
        if link.commandsSinceFlush > 0 {
            observer?.redisPipelineDepth(link.commandsSinceFlush)
            link.commandsSinceFlush = 0
        }
        do { try link.pipeline.flush() } catch {
            failLink(link, "\(error)")
            return
        }
        let want: EpollEvents = link.pipeline.wantsWritable ? [.readable, .writable] : .readable
        guard want != link.interest, let registration = link.registration else { return }
        do { try loop.modify(registration, want) } catch {
            failLink(link, "\(error)")
            return
        }
        link.interest = want
    }

    /// Fails links whose replies are overdue, reconnects failed ones when their time comes, and
    /// refreshes a cluster's map when asked to.
    func tend(_ now: UInt64) {
        for link in links {
            if let sent = link.oldestSentAt, now &- sent > settings.timeoutMilliseconds * 1_000_000 {
                failLink(link, "no reply for \(settings.timeoutMilliseconds) ms")
            } else if let began = link.connectBegan, link.isUsable, !link.isReady,
                now &- began > settings.connectTimeoutMilliseconds * 1_000_000
            {
                failLink(link, "connect not complete after \(settings.connectTimeoutMilliseconds) ms")
            }
            if let at = link.retryAt, now >= at {
                link.retryAt = nil
                connect(link)
            }
        }
        if let at = topologyRefreshAt, now >= at, !topologyInFlight {
            topologyRefreshAt = nil
            requestTopology()
        }
    }

    /// The link's connection is gone: its calls fail now (not run if their command never left,
    /// outcome unknown if it did), it reconnects later, and a cluster relearns its map.
    private func failLink(_ link: RedisNodeLink, _ why: String) {
        if let r = link.registration { loop.unregister(r) }
        link.registration = nil
        let failed = link.drainCalls()
        link.pipeline.close()
        link.interest = []
        observer?.redisError()
        if !failed.isEmpty || link.failuresInARow % 20 == 0 {
            observer?.redisUnavailable(
                link.endpoint, reason: why, failedCalls: failed.count, failuresInARow: link.failuresInARow + 1)
        }
        link.failuresInARow += 1
        for (call, written) in failed {
            if case .topology = call.kind { topologyInFlight = false }
            if case .fail(let failure) = policy.afterLoss(why, written: written, call.attempt, canWait: false) {
                fail(call, failure, counted: false)
            }
        }
        if !link.retired { link.retryAt = loop.now + settings.reconnectMilliseconds * 1_000_000 }
        if isCluster, topologyRefreshAt == nil {
            topologyRefreshAt = loop.now + settings.reconnectMilliseconds * 1_000_000
        }
    }
}

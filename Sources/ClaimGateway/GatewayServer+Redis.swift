import ClaimCore
import ClaimPOSIX
import ClaimRedis

/// The loop's side of Redis: routing each command to its node, reading replies into their
/// calls, cluster redirections and slot-map refreshes, failures and reconnects. Nothing here
/// blocks: the slot map itself is asked for with a pipelined `CLUSTER SLOTS`.
extension GatewayServer {
    /// Cluster redirections one call may follow before it is answered 503.
    static let maxRedirects = 5

    /// Requests waiting on Redis: sent, or in a batch not yet sent.
    var pendingCount: Int {
        var n = batchedClaims
        for link in links { n += link.pendingRequests }
        return n
    }

    /// Adds a claim to its window's open batch (a new one when none is open or
    /// the open one is full).
    func batch(_ claim: ClaimRequest, poolIndex: Int, _ entry: ClaimBatch.Entry) {
        let segment = claim.segment.index
        let batch: ClaimBatch
        if let open = openBatches[poolIndex][segment], !open.isFull, open.command.windowID == claim.window.id {
            batch = open
        } else {
            batch = ClaimBatch(command: claimCommand(for: claim, poolIndex: poolIndex), poolIndex: poolIndex)
            openBatches[poolIndex][segment] = batch
            batchesToSend.append(batch)
        }
        batch.add(entry)
        batchedClaims += 1
    }

    /// Sends the batches gathered so far, in the order they were opened, except those whose
    /// link still waits for the reply to an earlier batch: they stay open, keep gathering, and
    /// go when that reply is in (an iteration that reads it ends here). With one loop this
    /// changes little, since its batches are already about 30 claims; with two, each loop's
    /// batches go while Redis works on the other's, and hold about 11 claims instead of 6, so
    /// Redis spends less per claim and claims/s rise 5-10% (loadtest/RESULTS.md). A claim waits
    /// for at most one call ahead of it, which is bounded by the Redis timeout.
    func sendBatches() {
        guard !batchesToSend.isEmpty else { return }
        let now = MonotonicClock.nanoseconds()
        var kept = 0
        batchedClaims = 0
        for batch in batchesToSend {
            let link = link(forSlot: batch.command.slot)
            if let link, link.batchesInFlight > 0 {
                batchesToSend[kept] = batch
                kept += 1
                batchedClaims += batch.count
                continue
            }
            openBatches[batch.poolIndex][batch.command.segment.index] = nil
            metrics.claimsPerCall.record(batch.count)
            send(
                on: link, PendingCall(connection: 0, seq: 0, keepAlive: false, work: .claims(batch), sentAt: now)
            ) { batch.append(to: &$0) }
        }
        batchesToSend.removeLast(batchesToSend.count - kept)
    }

    /// The claim command for `claim`'s segment and window, pre-rendered once per window.
    private func claimCommand(for claim: ClaimRequest, poolIndex: Int) -> ClaimCommand {
        let segment = claim.segment
        if let c = claimCommands[poolIndex][segment.index], c.windowID == claim.window.id { return c }
        let c = ClaimCommand(segment: segment, window: claim.window.id)
        claimCommands[poolIndex][segment.index] = c
        return c
    }

    /// Queues a command and the work its reply completes, on the node that holds its key.
    func send(_ command: [[UInt8]], _ call: PendingCall) {
        let slot = isCluster ? RedisCommandKey.of(command).map { HashSlot.of($0) } ?? 0 : 0
        send(on: link(forSlot: slot), call) { RESPEncoder.append(command, to: &$0) }
    }

    /// The same for a command `write` encodes itself (a pre-rendered `ClaimCommand`), on the
    /// link that holds its keys' slot (`link(forSlot:)`; nil: none does, and the call fails).
    func send(on link: RedisLink?, _ call: PendingCall, writing write: (inout [UInt8]) -> Void) {
        guard let link, link.isUsable else { return fail(call) }
        link.enqueue(call, writing: write)
        if config.waitReplicas > 0, call.isWrite { link.writesSinceWait += 1 }
    }

    /// The link for a slot: the single Redis, or the master that serves the slot.
    private func link(forSlot slot: Int) -> RedisLink? {
        guard isCluster else { return links[0] }
        guard let map = slotMap, let m = map.master(ofSlot: slot), m < masterLinks.count else { return nil }
        return masterLinks[m]
    }

    /// Connects every link at start; a cluster asks its first seed for the slot map.
    func startRedis() {
        for link in links { connect(link) }
        if isCluster { requestTopology() }
    }

    func connect(_ link: RedisLink) {
        do {
            try link.pipeline.connect()
            try epoll.add(link.pipeline.fd, [.readable, .writable], token: link.token)
            link.interest = [.readable, .writable]
        } catch {
            failLink(link, "\(error)")
        }
    }

    /// Flushes every link, fails links whose replies are overdue, reconnects failed ones when
    /// their time comes, and refreshes a cluster's map when asked to.
    func tendRedis(_ now: UInt64) {
        for link in links {
            flush(link)
            if let sent = link.oldestSentAt, now - sent > config.redisTimeoutMilliseconds * 1_000_000 {
                failLink(link, "no reply for \(config.redisTimeoutMilliseconds) ms")
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

    func handleRedis(_ link: RedisLink, _ events: EpollEvents) {
        do {
            if events.contains(.writable) || link.pipeline.state == .connecting {
                let wasConnecting = link.pipeline.state == .connecting
                try link.pipeline.handleWritable()
                if wasConnecting, link.isReady {
                    link.failuresInARow = 0
                    logger.info("redis connected", metadata: ["redis": "\(link.endpoint)"])
                }
            }
            if events.contains(.readable) {
                try link.pipeline.handleReadable { reply in
                    guard let call = link.popCall() else { return }
                    metrics.redisRoundTrip.recordNanoseconds(
                        Int64(clamping: MonotonicClock.nanoseconds() - call.sentAt))
                    deliver(call, reply, on: link)
                }
                link.compact()
                link.failuresInARow = 0
            }
            if events.contains(.error) || events.contains(.hangup) { throw RedisError.connection("hung up") }
        } catch {
            failLink(link, "\(error)")
        }
    }

    /// A reply read in place: a batch's items go to their claims (a lone claim's reply is its
    /// item), and a fresh grant (the claim path's common answer) is answered from its number
    /// directly; anything else is copied and handled below.
    private func deliver(_ call: PendingCall, _ reply: RedisReplyView, on link: RedisLink) {
        if config.waitReplicas == 0, case .claims(let batch) = call.work,
            ClaimScript.isReadable(reply, claims: batch.count)
        {
            for i in 0..<batch.count {
                let one = batch.call(i, sentAt: call.sentAt)
                if case .claim(let claim, let index) = one.work,
                    let grant = ClaimScript.freshGrant(i, of: reply, claims: batch.count)
                {
                    answerGrant(one, claim, poolIndex: index, left: grant.left, number: grant.number)
                } else if let item = ClaimScript.reply(i, of: reply, claims: batch.count) {
                    complete(one, item.owned())
                }
            }
            return
        }
        deliver(call, reply.owned(), on: link)
    }

    /// A reply for `call`: the loop's own bookkeeping, a redirection to follow, or an answer.
    private func deliver(_ call: PendingCall, _ reply: RedisReply, on link: RedisLink) {
        switch call.work {
        case .asking: return
        case .topology:
            topologyInFlight = false
            return applyTopology(reply)
        case .replicaAck:
            return releaseWrites(on: link, replicas: Int(reply.integer ?? 0))
        default: break
        }
        if isCluster, case .error(let message) = reply, let redirect = ClusterRedirect(message) {
            return follow(redirect, call)
        }
        if config.waitReplicas > 0, call.isWrite {
            link.awaitingReplicas.append((call, reply))
            return
        }
        complete(call, reply)
    }

    /// `WAIT` answered: the writes held before it are answered now. Fewer replicas than asked
    /// (the timeout passed) is counted; the writes are on the master, so they are answered.
    private func releaseWrites(on link: RedisLink, replicas: Int) {
        let held = link.awaitingReplicas
        link.awaitingReplicas.removeAll(keepingCapacity: true)
        if replicas < config.waitReplicas, !held.isEmpty { metrics.replicationShort.increment(by: held.count) }
        for (call, reply) in held { complete(call, reply) }
    }

    /// MOVED: the map is stale (refresh it) and the call goes to the named node. ASK: the
    /// slot is migrating; the call goes there once, after `ASKING`.
    private func follow(_ redirect: ClusterRedirect, _ original: PendingCall) {
        if redirect.kind == .moved, !topologyInFlight { topologyRefreshAt = 0 }
        var call = original
        call.redirects += 1
        guard call.redirects <= Self.maxRedirects, let command = call.command(sendSource: call.attempt > 0),
            let link = link(for: redirect.endpoint(like: links[0].endpoint)), link.isUsable
        else {
            if case .soldOutCheck = call.work { return }
            metrics.redisErrors.increment()
            return fail(call)
        }
        if redirect.kind == .ask {
            link.enqueue(
                [Array("ASKING".utf8)],
                PendingCall(
                    connection: 0, seq: 0, keepAlive: false, work: .asking, sentAt: call.sentAt))
        }
        link.enqueue(command, call)
    }

    /// The link to `endpoint`, opened on first use.
    private func link(for endpoint: RedisEndpoint) -> RedisLink? {
        if let l = links.first(where: { $0.endpoint == endpoint }) {
            if l.retired {
                l.retired = false
                if !l.isUsable, l.retryAt == nil { connect(l) }
            }
            return l
        }
        guard UInt64(links.count) < Self.maxRedisLinks else { return nil }
        let l = RedisLink(endpoint: endpoint, token: Self.redisTokenBase + UInt64(links.count))
        links.append(l)
        connect(l)
        return l
    }

    /// Asks a connected node (else the seeds, in turn) for `CLUSTER SLOTS`.
    func requestTopology() {
        let candidates = masterLinks.filter(\.isUsable) + links.filter(\.isUsable)
        let asked: RedisLink?
        if let l = candidates.first {
            asked = l
        } else {
            // Nothing is connected: try the next seed (each retry moves on, so a dead first seed
            // does not keep the loop blind).
            let seeds = config.clusterSeeds
            let seed = seeds[Int(MonotonicClock.nanoseconds() / 1_000_000) % seeds.count]
            asked = link(for: seed)
        }
        guard let link = asked, link.isUsable else {
            topologyRefreshAt = MonotonicClock.nanoseconds() + config.redisReconnectMilliseconds * 1_000_000
            return
        }
        topologyInFlight = true
        link.enqueue(
            [Array("CLUSTER".utf8), Array("SLOTS".utf8)],
            PendingCall(
                connection: 0, seq: 0, keepAlive: false, work: .topology, sentAt: MonotonicClock.nanoseconds()))
    }

    private func applyTopology(_ reply: RedisReply) {
        do {
            let map = try ClusterSlotMap(clusterSlots: reply, seed: links[0].endpoint)
            var masters: [RedisLink] = []
            for m in map.masters {
                guard let l = link(for: m) else { throw RedisError.connection("too many cluster nodes") }
                masters.append(l)
            }
            if map != slotMap {
                logger.info(
                    "cluster slot map",
                    metadata: ["masters": "\(map.masters.map(\.description).joined(separator: ","))"])
            }
            slotMap = map
            masterLinks = masters
            // A node that left the map (a dead master, replaced by its replica) stops being
            // retried once nothing waits on it.
            for l in links where !masters.contains(where: { $0 === l }) && l.pendingCount == 0 && !l.isReady {
                l.retired = true
                l.retryAt = nil
            }
        } catch {
            metrics.redisErrors.increment()
            logger.warning("cluster slot map unreadable; retrying", metadata: ["error": "\(error)"])
            topologyRefreshAt = MonotonicClock.nanoseconds() + config.redisReconnectMilliseconds * 1_000_000
        }
    }

    private func flush(_ link: RedisLink) {
        guard link.isUsable else { return }
        if link.writesSinceWait > 0 {
            // One WAIT per batch: group commit of every write in it.
            link.writesSinceWait = 0
            link.enqueue(
                [
                    Array("WAIT".utf8), Array(String(config.waitReplicas).utf8),
                    Array(String(config.waitTimeoutMilliseconds).utf8),
                ],
                PendingCall(
                    connection: 0, seq: 0, keepAlive: false, work: .replicaAck, sentAt: MonotonicClock.nanoseconds()))
        }
        if link.commandsSinceFlush > 0 {
            metrics.pipelineDepth.record(link.commandsSinceFlush)
            link.commandsSinceFlush = 0
        }
        do { try link.pipeline.flush() } catch {
            failLink(link, "\(error)")
            return
        }
        let want: EpollEvents = link.pipeline.wantsWritable ? [.readable, .writable] : .readable
        if want != link.interest {
            do { try epoll.modify(link.pipeline.fd, want, token: link.token) } catch {
                failLink(link, "\(error)")
                return
            }
            link.interest = want
        }
    }

    /// The link's connection is gone: its waiting requests get 503 now, it reconnects later,
    /// and a cluster relearns its map (a replica may have taken over).
    func failLink(_ link: RedisLink, _ why: String) {
        if link.pipeline.fd >= 0 { epoll.remove(link.pipeline.fd) }
        link.pipeline.close()
        link.interest = []
        let failed = link.drainCalls()
        metrics.redisErrors.increment()
        if !failed.isEmpty || link.failuresInARow % 20 == 0 {
            logger.warning(
                "redis unavailable; retrying",
                metadata: [
                    "redis": "\(link.endpoint)", "reason": "\(why)", "answered_503": "\(failed.count)",
                    "failures_in_a_row": "\(link.failuresInARow + 1)",
                ])
        }
        link.failuresInARow += 1
        for call in failed {
            if case .topology = call.work { topologyInFlight = false }
            fail(call)
        }
        if !link.retired {
            link.retryAt = MonotonicClock.nanoseconds() + config.redisReconnectMilliseconds * 1_000_000
        }
        if isCluster, topologyRefreshAt == nil {
            topologyRefreshAt = MonotonicClock.nanoseconds() + config.redisReconnectMilliseconds * 1_000_000
        }
    }

    /// Drops marks of closed windows and asks Redis, for each other one, whether it has stock
    /// again (one pipelined HGET each; the replies unmark).
    func recheckSoldOut() {
        for (pool, segment, window) in soldOut.sweep(now: config.clock.now()) {
            guard admitRedisCall() else { return }
            let storage = PoolSegment(pool: programme.pools[pool], index: segment).storageID
            send(
                [Array("HGET".utf8), Array(PoolKeys(pool: storage).window(window.id).utf8), Array("left".utf8)],
                PendingCall(
                    connection: 0, seq: 0, keepAlive: false,
                    work: .soldOutCheck(pool: pool, segment: segment, window: window.id),
                    sentAt: MonotonicClock.nanoseconds()))
        }
    }
}

import ClaimPOSIX

/// One Redis node as one event loop's client sees it: its pipelined connection, the commands
/// waiting for its replies in the order they were sent (Redis answers in order, so a FIFO
/// matches replies to commands), and the write replies held for `WAIT`. A single Redis is one
/// link; a cluster is one link per node met.
final class RedisNodeLink {
    /// A command sent on this link.
    struct Call {
        enum Kind {
            /// An owner's command.
            case owned(any RedisCallOwner, tag: Int)
            /// `ASKING` before a redirected command (its reply is dropped).
            case asking
            /// `CLUSTER SLOTS`, for a new slot map.
            case topology
            /// `WAIT`: the write replies held before it may be answered.
            case replicaAck
        }

        let kind: Kind
        let shape: RedisCallShape
        var attempt: RedisRoutePolicy.Attempt
        /// When this send left (each resend has its own), for the reply timeout.
        var sentAt: UInt64 = 0
        /// The pipeline's byte count at the end of this command: written once flushed past it.
        var endByte: UInt64 = 0

        static func own(_ kind: Kind) -> Call {
            Call(kind: kind, shape: .read, attempt: .init(resend: .safe))
        }
    }

    let endpoint: RedisEndpoint
    let pipeline: RedisPipeline
    /// The link's index in the client (its tag in the event loop).
    let index: Int
    var registration: EventLoop.Registration?
    private(set) var pending: [Call] = []
    private(set) var pendingHead = 0
    /// The requests the pending calls answer (a claim batch is one call for many).
    private(set) var pendingRequests = 0
    /// Claim batches sent and not yet answered.
    private(set) var batchesInFlight = 0
    /// What epoll is asked to report for this link's socket (nothing while disconnected).
    var interest: EpollEvents = []
    /// When to try connecting again after a failure.
    var retryAt: UInt64?
    /// When the current connect began (the connect timeout counts from it).
    var connectBegan: UInt64?
    /// Failures in a row (logged on the first and every 20th, not at every retry).
    var failuresInARow = 0
    /// No longer a master in the cluster's map: not reconnected until something routes to it.
    var retired = false
    /// Commands queued since the last flush (the pipeline depth metric).
    var commandsSinceFlush = 0
    /// Writes queued since the last `WAIT` (with `--wait-replicas`): counted here, at the one
    /// place every command is queued, so a redirected write is waited for like any other.
    var writesSinceWait = 0
    /// Write replies held until the `WAIT` after them answers.
    var awaitingReplicas: [(Call, RedisReply)] = []

    init(endpoint: RedisEndpoint, index: Int) {
        self.endpoint = endpoint
        self.pipeline = RedisPipeline(endpoint: endpoint)
        self.index = index
    }

    var pendingCount: Int { pending.count - pendingHead + awaitingReplicas.count }
    var isUsable: Bool { pipeline.state != .disconnected }
    /// Connected, and the Redis's settings checked (`RedisServerSettings`).
    var isReady: Bool { pipeline.isVerified }
    /// When the oldest unanswered call was sent.
    var oldestSentAt: UInt64? { pendingHead < pending.count ? pending[pendingHead].sentAt : nil }

    /// Queues `call`, whose command `write` appends, sent at `now`.
    func enqueue(_ call: Call, at now: UInt64, writing write: (inout [UInt8]) -> Void) {
        pipeline.enqueue(writing: write)
        var c = call
        c.sentAt = now
        c.endByte = pipeline.bytesQueued
        pending.append(c)
        pendingRequests += c.shape.requests
        if c.shape.isBatch { batchesInFlight += 1 }
        if c.shape.isWrite { writesSinceWait += 1 }
        commandsSinceFlush += 1
    }

    /// The call the next reply answers.
    func popCall() -> Call? {
        guard pendingHead < pending.count else { return nil }
        let call = pending[pendingHead]
        pendingHead += 1
        pendingRequests -= call.shape.requests
        if call.shape.isBatch { batchesInFlight -= 1 }
        return call
    }

    /// Takes every unanswered call off the link (the connection failed), held writes first,
    /// each with whether its command had left for Redis.
    func drainCalls() -> [(call: Call, written: Bool)] {
        let written = pipeline.bytesWritten
        let calls = awaitingReplicas.map { ($0.0, true) } + pending[pendingHead...].map { ($0, $0.endByte <= written) }
        awaitingReplicas.removeAll()
        writesSinceWait = 0
        pending.removeAll(keepingCapacity: true)
        pendingHead = 0
        pendingRequests = 0
        batchesInFlight = 0
        return calls
    }

    /// Reclaims answered calls' space without moving the FIFO at every reply.
    func compact() {
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 4096, pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }
}

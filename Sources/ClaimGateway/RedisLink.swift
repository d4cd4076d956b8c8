import ClaimPOSIX
import ClaimRedis

/// One Redis node as one event loop sees it: its pipelined connection and the calls waiting
/// for its replies, in the order they were sent (Redis answers in order, so a FIFO matches
/// replies to calls). A single Redis is one link; a cluster is one link per master.
final class RedisLink {
    let endpoint: RedisEndpoint
    let pipeline: RedisPipeline
    /// This link's epoll token.
    let token: UInt64
    private(set) var pending: [PendingCall] = []
    private(set) var pendingHead = 0
    /// The requests the pending calls answer (a claim batch is one call for many).
    private(set) var pendingRequests = 0
    /// Claim batches sent and not yet answered. While there is one, the loop's next batches for
    /// this link wait for its reply and grow (`GatewayServer.sendBatches`).
    private(set) var batchesInFlight = 0
    /// What epoll is asked to report for this link's socket (nothing while disconnected).
    var interest: EpollEvents = []
    /// When to try connecting again after a failure.
    var retryAt: UInt64?
    /// Failures in a row (logged on the first and every 20th, not at every retry).
    var failuresInARow = 0
    /// No longer a master in the cluster's map: not reconnected until something routes to it.
    var retired = false
    /// Commands queued since the last flush (the pipeline depth metric).
    var commandsSinceFlush = 0
    /// Writes queued since the last `WAIT` (with `--wait-replicas`).
    var writesSinceWait = 0
    /// Write replies held until the `WAIT` after them answers.
    var awaitingReplicas: [(PendingCall, RedisReply)] = []

    init(endpoint: RedisEndpoint, token: UInt64) {
        self.endpoint = endpoint
        self.pipeline = RedisPipeline(endpoint: endpoint)
        self.token = token
    }

    var pendingCount: Int { pending.count - pendingHead }
    var isUsable: Bool { pipeline.state != .disconnected }
    var isReady: Bool { pipeline.state == .ready }
    /// When the oldest unanswered call was sent.
    var oldestSentAt: UInt64? { pendingHead < pending.count ? pending[pendingHead].sentAt : nil }

    func enqueue(_ command: [[UInt8]], _ call: PendingCall) {
        enqueue(call) { RESPEncoder.append(command, to: &$0) }
    }

    /// The same for a command `write` encodes into the pipeline's buffer itself.
    func enqueue(_ call: PendingCall, writing write: (inout [UInt8]) -> Void) {
        pipeline.enqueue(writing: write)
        pending.append(call)
        pendingRequests += call.requests
        if call.isBatch { batchesInFlight += 1 }
        commandsSinceFlush += 1
    }

    /// The call the next reply answers.
    func popCall() -> PendingCall? {
        guard pendingHead < pending.count else { return nil }
        let call = pending[pendingHead]
        pendingHead += 1
        pendingRequests -= call.requests
        if call.isBatch { batchesInFlight -= 1 }
        return call
    }

    /// Takes every unanswered call off the link (the connection failed), held writes first.
    func drainCalls() -> [PendingCall] {
        let calls = awaitingReplicas.map(\.0) + pending[pendingHead...]
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

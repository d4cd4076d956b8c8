import ClaimCore
import ClaimHTTP
import ClaimRedis

/// Gathers one loop's claims into a batch per pool segment's window and sends the batches
/// before the loop sleeps. While a batch is at a node, the next batches for that node wait
/// for its reply and grow: with one loop this changes little, since its batches are already
/// about 30 claims; with two, each loop's batches go while Redis works on the other's and hold
/// about 11 claims instead of 6, so Redis spends less per claim and claims/s rise 5-10%
/// (loadtest/RESULTS.md). A full batch has nothing to gain by waiting and goes at once, up to
/// `maxBatchesInFlight` per node: with `appendfsync always` each reply waits for Redis's fsync
/// (which holds the sell-out second: RESULTS.md, fifth session), and one batch per round trip
/// would cap a loop with more than 64 claims waiting at 64 grants per fsync. Redis runs a
/// connection's calls in order, so batches still meet it first come, first served. A claim waits
/// for at most the calls ahead of it, each bounded by the Redis timeout.
final class ClaimBatcher {
    /// Batches a loop may have at one node at once (only full ones beyond the first).
    static let maxBatchesInFlight = 4
    private let context: GatewayContext
    private let answers: ClaimAnswers
    /// The claim command per pool segment, pre-rendered for the window it is in; rebuilt when
    /// the window moves on.
    private var commands: [[ClaimCommand?]]
    /// The batch open per pool segment, and all of them in the order they were opened (sent in
    /// that order).
    private var open: [[ClaimBatch?]]
    private var toSend: [ClaimBatch] = []

    init(context: GatewayContext, answers: ClaimAnswers) {
        self.context = context
        self.answers = answers
        let pools = context.programme.pools
        commands = pools.map { [ClaimCommand?](repeating: nil, count: $0.segmentCount) }
        open = pools.map { [ClaimBatch?](repeating: nil, count: $0.segmentCount) }
    }

    /// Adds a claim to its window's open batch (a new one when none is open or the open one
    /// is full).
    func add(_ claim: ClaimRequest, poolIndex: Int, slot: HTTPAnswerSlot) {
        let segment = claim.segment.index
        let batch: ClaimBatch
        if let b = open[poolIndex][segment], !b.isFull, b.command.windowID == claim.window.id {
            batch = b
        } else {
            batch = ClaimBatch(
                command: command(for: claim, poolIndex: poolIndex), poolIndex: poolIndex, answers: answers)
            open[poolIndex][segment] = batch
            toSend.append(batch)
        }
        batch.add(.init(slot: slot, claim: claim))
        context.batchedClaims += 1
    }

    /// Sends the batches gathered so far, in the order they were opened, but those whose node
    /// still has a batch unanswered, unless they are full and the node has fewer than
    /// `maxBatchesInFlight`: they stay open, keep gathering, and go when that reply is in (the
    /// iteration that reads it ends here).
    func sendBatches() {
        guard !toSend.isEmpty else { return }
        let redis = context.redis
        var kept = 0
        context.batchedClaims = 0
        for batch in toSend {
            let ahead = redis.batchesInFlight(slot: batch.command.slot)
            if ahead > 0, !batch.isFull || ahead >= Self.maxBatchesInFlight {
                toSend[kept] = batch
                kept += 1
                context.batchedClaims += batch.count
                continue
            }
            open[batch.poolIndex][batch.command.segment.index] = nil
            context.metrics.claimsPerCall?.record(Int64(batch.count))
            batch.sentAt = context.loop.now
            if !redis.send(slot: batch.command.slot, shape: batch.shape, owner: batch, tag: 0) {
                batch.failed(tag: 0, .notRun("no Redis node serves the pool now"))
            }
        }
        toSend.removeLast(toSend.count - kept)
    }

    private func command(for claim: ClaimRequest, poolIndex: Int) -> ClaimCommand {
        let segment = claim.segment
        if let c = commands[poolIndex][segment.index], c.windowID == claim.window.id { return c }
        let c = ClaimCommand(segment: segment, window: claim.window.id)
        commands[poolIndex][segment.index] = c
        return c
    }
}

import ClaimCore
import ClaimRedis

/// A request waiting for a Redis reply. Replies arrive in command order, so a FIFO of these
/// matches each reply to its request.
struct PendingCall {
    enum Work {
        /// One claim: the item of a batch's reply that answers it (never sent on its own).
        case claim(ClaimRequest, poolIndex: Int)
        /// The claims of one window, in one script call.
        case claims(ClaimBatch)
        /// One segment's counts (`segment`), summed by `gather` for a split pool.
        case progress(Pool, SchedulePosition, ReleaseWindow, ProgressGather, segment: Int)
        /// `pool` names the vouchers; `storage` is the person's segment's keys.
        case wallet(WalletGather, pool: String, storage: String)
        case redeem(RedemptionRequest)
        case reverse(pool: String, voucher: String, merchant: String, order: String, now: Instant)
        /// Is a pool segment's window marked sold out restocked? (No client waits for this.)
        case soldOutCheck(pool: Int, segment: Int, window: String)
        /// `ASKING` before a command sent to a slot's importing node (its reply is dropped).
        case asking
        /// `CLUSTER SLOTS`: a new slot map for the loop.
        case topology
        /// `WAIT`: the writes before it on this link are on enough replicas to be answered.
        case replicaAck
    }

    /// Changes Redis state (claims and redemptions): what `--wait-replicas` holds back.
    var isWrite: Bool {
        switch work {
        case .claim, .claims, .redeem, .reverse: true
        default: false
        }
    }

    /// A window's claims in one script call.
    var isBatch: Bool {
        if case .claims = work { return true }
        return false
    }

    /// The requests this call answers (what `GatewayConfig.maxPendingRedisCalls` bounds).
    var requests: Int {
        if case .claims(let batch) = work { return batch.count }
        return 1
    }

    let connection: UInt64
    let seq: UInt64
    let keepAlive: Bool
    let work: Work
    /// CLOCK_MONOTONIC when sent, for the Redis timeout.
    let sentAt: UInt64
    /// 1 for the EVAL retry after NOSCRIPT.
    var attempt = 0
    /// Cluster redirections followed so far (bounded, so a flapping map cannot loop).
    var redirects = 0

    /// The command this call sends: again after a cluster redirection, or with the script's
    /// source after NOSCRIPT (`sendSource`). Nil for the loop's own bookkeeping calls.
    func command(sendSource: Bool) -> [[UInt8]]? {
        switch work {
        case .claim(let r, _): ClaimScript.command(r, sendSource: sendSource)
        case .claims(let batch): ClaimScript.command(batch.claims, sendSource: sendSource)
        case .progress(let pool, _, let w, _, let segment):
            [
                Array("HMGET".utf8),
                Array(PoolKeys(pool: PoolSegment(pool: pool, index: segment).storageID).window(w.id).utf8),
            ]
                + ["released", "left", "granted"].map { Array($0.utf8) }
        case .soldOutCheck: nil
        case .wallet(let g, _, let storage):
            WalletScript.command(pool: storage, person: g.person, sendSource: sendSource)
        case .redeem(let r): RedemptionScript.redeemCommand(r, sendSource: sendSource)
        case .reverse(let pool, let voucher, let merchant, let order, let now):
            RedemptionScript.reverseCommand(
                pool: pool, voucher: voucher, merchant: merchant, order: order, now: now, sendSource: sendSource)
        case .asking, .topology, .replicaAck: nil
        }
    }

    /// The command that loads and runs this call's script (after NOSCRIPT), nil if the call
    /// runs no script.
    func sourceCommand() -> [[UInt8]]? {
        switch work {
        case .progress, .soldOutCheck, .asking, .topology, .replicaAck: nil
        default: command(sendSource: true)
        }
    }
}

/// Collects one person's vouchers from every pool (one script call per pool, since each
/// pool's keys live in their own slot) until the last reply is in.
final class WalletGather {
    let person: String
    var remaining: Int
    var vouchers: [Voucher] = []
    /// A part's reply could not be read: the answer will be an error.
    var failed = false
    /// The answer has been given (by the last part, or by the first Redis failure).
    var answered = false

    init(person: String, parts: Int) {
        self.person = person
        self.remaining = parts
    }
}

/// Sums a split pool's segments for `GET /v1/pools/{pool}` (one HMGET per segment, each in its
/// own slot) until the last reply is in.
final class ProgressGather {
    var remaining: Int
    var released = 0, left = 0, granted = 0
    /// Some segment has counts (released, or about to be by its first claim).
    var any = false
    var failed = false
    /// The answer has been given (by the last part, or by the first Redis failure).
    var answered = false

    init(parts: Int) { remaining = parts }
}

import ClaimCore
import ClaimRedis

/// A request waiting for a Redis reply. Replies arrive in command order, so a FIFO of these
/// matches each reply to its request.
struct PendingCall {
    enum Work {
        case claim(ClaimRequest, poolIndex: Int)
        case progress(Pool, SchedulePosition, ReleaseWindow)
        case wallet(WalletGather, pool: String)
        case redeem(RedemptionRequest)
        case reverse(pool: String, voucher: String, merchant: String, order: String, now: Instant)
        /// Is a window marked sold out restocked? (No client waits for this.)
        case soldOutCheck(WindowKey)
    }

    let connection: UInt64
    let seq: UInt64
    let keepAlive: Bool
    let work: Work
    /// CLOCK_MONOTONIC when sent, for the Redis timeout.
    let sentAt: UInt64
    /// 1 for the EVAL retry after NOSCRIPT.
    var attempt = 0

    /// The command that loads and runs this call's script (after NOSCRIPT), nil if the call
    /// runs no script.
    func sourceCommand() -> [[UInt8]]? {
        switch work {
        case .claim(let r, _): ClaimScript.command(r, sendSource: true)
        case .progress, .soldOutCheck: nil
        case .wallet(let g, let pool): WalletScript.command(pool: pool, person: g.person, sendSource: true)
        case .redeem(let r): RedemptionScript.redeemCommand(r, sendSource: true)
        case .reverse(let pool, let voucher, let merchant, let order, let now):
            RedemptionScript.reverseCommand(
                pool: pool, voucher: voucher, merchant: merchant, order: order, now: now, sendSource: true)
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

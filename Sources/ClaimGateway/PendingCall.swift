import ClaimCore

/// A request waiting for a Redis reply. Replies arrive in command order, so a FIFO of these
/// matches each reply to its request.
struct PendingCall {
    enum Work {
        /// `attempt` 1 is the EVAL retry after NOSCRIPT.
        case claim(ClaimRequest, attempt: Int)
        case progress(Pool, SchedulePosition)
        case wallet(WalletGather, pool: String, attempt: Int)
    }

    let connection: UInt64
    let seq: UInt64
    let keepAlive: Bool
    let work: Work
    /// CLOCK_MONOTONIC when sent, for the Redis timeout.
    let sentAt: UInt64
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

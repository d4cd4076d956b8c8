import ClaimCore
import ClaimRedis

/// Restocks as they happen: `reset.lua` and `move.lua` publish each window they give stock to
/// on `PoolKeys.restockChannel`, and this loop's `RedisSubscription` hands them here, so the
/// window's sold-out mark goes within milliseconds of the operator's command rather than at
/// the next periodic recheck (which stays, for a message lost while the subscription was down;
/// each new subscription also rechecks every mark at once).
final class RestockListener: RedisSubscriber {
    private let context: GatewayContext
    private let answers: ClaimAnswers

    init(context: GatewayContext, answers: ClaimAnswers) {
        self.context = context
        self.answers = answers
    }

    func subscribed(to endpoint: RedisEndpoint) {
        context.logger.debug("listening for restocks", metadata: ["redis": "\(endpoint)"])
        answers.recheckMarks()
    }

    /// `payload` is the restocked window's key; anything else (another programme's pool, a
    /// malformed key) is ignored.
    func message(_ payload: String) {
        guard let (storage, window) = PoolKeys.parseWindow(payload),
            let segment = context.programme.segment(storageID: storage),
            let index = context.programme.poolIndex(id: segment.pool.id)
        else { return }
        context.metrics.restocksHeard.increment()
        answers.restocked(pool: index, segment: segment.index, windowID: window)
    }

    func subscriptionFailed(_ endpoint: RedisEndpoint, reason: String, failuresInARow: Int) {
        context.logger.warning(
            "cannot listen for restocks; sold-out marks are rechecked every \(context.config.soldOutRecheckMilliseconds) ms",
            metadata: ["redis": "\(endpoint)", "reason": "\(reason)", "failures_in_a_row": "\(failuresInARow)"])
    }
}

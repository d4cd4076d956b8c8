/// Every decision about a command after Redis answered it or failed to: follow a cluster
/// redirection, send the script's source after NOSCRIPT, wait out a failover, or give up and
/// say whether Redis may have run it. Pure (no I/O, no clock): the blocking client
/// (`RedisClusterClient`, for claimctl) and the event loop's client (`RedisLinks`) both ask it,
/// so the rule for resending is written once.
public struct RedisRoutePolicy: Sendable {
    /// Cluster redirections one command may follow (a flapping map cannot loop forever).
    public var maxRedirects = 5

    public init(maxRedirects: Int = 5) { self.maxRedirects = maxRedirects }

    /// What a command has been through so far.
    public struct Attempt: Hashable, Sendable {
        public var resend: RedisResend
        /// Redirections followed.
        public var redirects = 0
        /// Sent as `EVAL` with the source (after NOSCRIPT): a second NOSCRIPT is the answer.
        public var sentSource = false

        public init(resend: RedisResend) { self.resend = resend }
    }

    /// Why a command gets no answer from Redis.
    public enum Failure: Hashable, Sendable {
        /// Redis did not run it (never written, refused, or redirected too often): nothing
        /// changed, and the caller may say so.
        case notRun(String)
        /// It was written and no reply came: Redis may have run it.
        case outcomeUnknown(String)
    }

    public enum Decision: Hashable, Sendable {
        /// The reply is the command's answer (an error reply included).
        case answer
        /// Send it to the redirection's node (after `ASKING` for ASK); MOVED means the slot map
        /// is stale.
        case follow(ClusterRedirect)
        /// Send it again as `EVAL` with the script's source, which also caches the script.
        case sendSource
        /// Send it again once the cluster has settled (relearn the map first): only when the
        /// caller can wait (`canWait`); Redis did not run it, or running it twice is harmless.
        case retry
        case fail(Failure)
    }

    /// After an error reply `message` (call only for error replies).
    public func afterError(_ message: String, _ attempt: inout Attempt, canWait: Bool) -> Decision {
        if let redirect = ClusterRedirect(message) {
            guard attempt.redirects < maxRedirects else {
                return .fail(.notRun("more than \(maxRedirects) cluster redirections: \(message)"))
            }
            attempt.redirects += 1
            return .follow(redirect)
        }
        if message.hasPrefix("NOSCRIPT"), !attempt.sentSource {
            attempt.sentSource = true
            return .sendSource
        }
        if Self.isNotRun(message) { return canWait ? .retry : .fail(.notRun(message)) }
        return .answer
    }

    /// After the connection broke or the reply was too late. `written`: every byte of the
    /// command had left for Redis.
    public func afterLoss(_ why: String, written: Bool, _ attempt: Attempt, canWait: Bool) -> Decision {
        guard written else { return canWait ? .retry : .fail(.notRun(why)) }
        return canWait && attempt.resend == .safe ? .retry : .fail(.outcomeUnknown(why))
    }

    /// Error replies that mean Redis refused the command without running it: loading its data
    /// after a restart, busy with a long script, out of memory, a replica that lost its master,
    /// a slot in migration or a cluster without a master for it.
    public static func isNotRun(_ message: String) -> Bool {
        ["LOADING", "BUSY", "OOM", "MASTERDOWN", "TRYAGAIN", "READONLY", "CLUSTERDOWN"].contains {
            message.hasPrefix($0)
        }
    }
}

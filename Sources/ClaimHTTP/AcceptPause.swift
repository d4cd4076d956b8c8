/// When the listener stops and starts again after `accept` fails for a reason that outlasts
/// the call (out of descriptors: EMFILE, ENFILE; out of memory). A level-triggered listener
/// with connections waiting fires again at once, so accepting on regardless spins a core and,
/// with a log line per failure, fills the disk. Instead the server stops watching the listener
/// until `resumeAt` or until one of its own connections closes (a descriptor is free again),
/// whichever comes first; the clients wait in the kernel's backlog meanwhile.
///
/// A value with no clock and no I/O: the server passes `now` and acts on the answer (tested
/// with plain numbers in `AcceptPauseTests`).
public struct AcceptPause: Hashable, Sendable {
    /// How long one pause lasts if no connection closes first.
    public var pauseNanoseconds: UInt64
    /// At most one report (a log line) per this interval; pauses in between are summed into it.
    public var reportEveryNanoseconds: UInt64
    public private(set) var isPaused = false
    private var lastReport: UInt64?
    private var unreported = 0

    public init(pauseMilliseconds: UInt64 = 100, reportEveryMilliseconds: UInt64 = 1000) {
        pauseNanoseconds = pauseMilliseconds * 1_000_000
        reportEveryNanoseconds = reportEveryMilliseconds * 1_000_000
    }

    /// What to do after `accept` failed at `now`.
    public struct Decision: Hashable, Sendable {
        /// Look at the listener again at this instant (unless a connection closes first).
        public var resumeAt: UInt64
        /// Pauses to report now, this one included (nil: stay quiet, it is counted for later).
        public var report: Int?
    }

    public mutating func failed(now: UInt64) -> Decision {
        isPaused = true
        unreported += 1
        var report: Int?
        if lastReport.map({ now &- $0 >= reportEveryNanoseconds }) ?? true {
            report = unreported
            unreported = 0
            lastReport = now
        }
        return Decision(resumeAt: now &+ pauseNanoseconds, report: report)
    }

    /// The pause is over (its time came, or a connection closed): true if there was one, so
    /// the listener is watched again.
    public mutating func resume() -> Bool {
        defer { isPaused = false }
        return isPaused
    }
}

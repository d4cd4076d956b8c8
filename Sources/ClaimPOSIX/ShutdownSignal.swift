import CClaimSys
import Glibc

/// SIGINT and SIGTERM (and SIGHUP, a reload) as a readable descriptor (signalfd), so a shutdown
/// request is just another event. Creating it blocks those signals (and SIGPIPE) for the
/// calling thread; create it before starting other threads so they inherit the mask.
public final class ShutdownSignal {
    public let fd: Int32

    public init() throws(POSIXError) {
        fd = cg_signalfd_for_shutdown()
        guard fd >= 0 else { throw POSIXError("signalfd", cg_errno()) }
    }

    deinit { Glibc.close(fd) }

    /// Blocks until SIGINT or SIGTERM arrives, or `other` becomes readable; true for a signal.
    public func wait(orReadable other: Int32) -> Bool {
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: other, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0, cg_errno() == EINTR { continue }
            if fds[0].revents != 0 { return drain() || true }
            if fds[1].revents != 0 { return false }
        }
    }

    /// What ended a bounded wait: a stop signal, SIGHUP alone (reload), the other descriptor,
    /// or the time.
    public enum Wake: Sendable {
        case signal, hangup, readable, timeout
    }

    /// The same as `wait(orReadable:)`, at most `milliseconds` (the caller's periodic work).
    public func wait(orReadable other: Int32, milliseconds: Int32) -> Wake {
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: other, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let n = poll(&fds, 2, milliseconds)
            if n < 0, cg_errno() == EINTR { continue }
            if n == 0 { return .timeout }
            if fds[0].revents != 0 {
                let signals = drainSignals()
                if !signals.isEmpty, signals.allSatisfy({ $0 == SIGHUP }) { return .hangup }
                return .signal
            }
            if fds[1].revents != 0 { return .readable }
        }
    }

    /// Reads pending signals; true if any arrived.
    public func drain() -> Bool { !drainSignals().isEmpty }

    /// Reads pending signals: their numbers.
    public func drainSignals() -> [Int32] {
        var info = signalfd_siginfo()
        var got: [Int32] = []
        while Glibc.read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            got.append(Int32(bitPattern: info.ssi_signo))
        }
        return got
    }
}

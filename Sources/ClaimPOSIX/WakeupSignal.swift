import CClaimSys
import Glibc

/// An eventfd another thread can fire to wake an event loop (used to stop a gateway from a
/// test or a supervisor). Writing to an eventfd is thread-safe, so this is `Sendable`.
public final class WakeupSignal: Sendable {
    public let fd: Int32

    public init() throws(POSIXError) {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw POSIXError("eventfd", cg_errno()) }
    }

    deinit { Glibc.close(fd) }

    public func fire() {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Clears the counter; true if it had been fired.
    public func drain() -> Bool {
        var value: UInt64 = 0
        return Glibc.read(fd, &value, 8) == 8
    }
}

import CClaimSys
import Glibc

/// What a descriptor is waited for, or what happened to it.
public struct EpollEvents: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = EpollEvents(rawValue: EPOLLIN.rawValue)
    public static let writable = EpollEvents(rawValue: EPOLLOUT.rawValue)
    public static let hangup = EpollEvents(rawValue: EPOLLHUP.rawValue | EPOLLRDHUP.rawValue)
    public static let error = EpollEvents(rawValue: EPOLLERR.rawValue)
}

/// An epoll instance. Each registration carries a caller-chosen 64-bit token (as swift-nio's
/// SelectorEpoll does) so an event for a closed and reused descriptor can be told apart.
/// Owned by one event loop; closes its descriptor in `deinit`.
public final class Epoll {
    public let fd: Int32
    private var events: [epoll_event]

    public init(maxEvents: Int = 512) throws(POSIXError) {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw POSIXError("epoll_create1", cg_errno()) }
        events = [epoll_event](repeating: epoll_event(), count: maxEvents)
    }

    deinit { Glibc.close(fd) }

    public func add(_ target: Int32, _ interest: EpollEvents, token: UInt64) throws(POSIXError) {
        try control(EPOLL_CTL_ADD, target, interest, token)
    }

    public func modify(_ target: Int32, _ interest: EpollEvents, token: UInt64) throws(POSIXError) {
        try control(EPOLL_CTL_MOD, target, interest, token)
    }

    public func remove(_ target: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, target, &ev)
    }

    /// Waits up to `timeoutMilliseconds` (-1: for ever) and calls `handle` for each event.
    public func wait(timeoutMilliseconds: Int32, _ handle: (UInt64, EpollEvents) -> Void) throws(POSIXError) {
        let n = events.withUnsafeMutableBufferPointer { buf in
            epoll_wait(fd, buf.baseAddress, Int32(buf.count), timeoutMilliseconds)
        }
        try deliver(n, handle)
    }

    /// The same with a timeout in nanoseconds (`epoll_pwait2`): for a caller that must wake at
    /// an instant finer than a millisecond (an open-loop load generator's next due request).
    public func wait(timeoutNanoseconds: Int64, _ handle: (UInt64, EpollEvents) -> Void) throws(POSIXError) {
        let n = events.withUnsafeMutableBufferPointer { buf in
            cg_epoll_wait_ns(fd, buf.baseAddress, Int32(buf.count), timeoutNanoseconds)
        }
        try deliver(n, handle)
    }

    private func deliver(_ n: Int32, _ handle: (UInt64, EpollEvents) -> Void) throws(POSIXError) {
        if n < 0 {
            let e = cg_errno()
            if e == EINTR { return }
            throw POSIXError("epoll_wait", e)
        }
        for i in 0..<Int(n) {
            let (token, bits) = withUnsafePointer(to: &events[i]) {
                (cg_epoll_event_token($0), cg_epoll_event_events($0))
            }
            handle(token, EpollEvents(rawValue: bits))
        }
    }

    private func control(_ op: Int32, _ target: Int32, _ interest: EpollEvents, _ token: UInt64) throws(POSIXError) {
        var ev = cg_epoll_event(interest.rawValue, token)
        guard epoll_ctl(fd, op, target, &ev) == 0 else { throw POSIXError("epoll_ctl", cg_errno()) }
    }
}

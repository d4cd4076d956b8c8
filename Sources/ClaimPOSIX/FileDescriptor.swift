import CClaimSys
import Glibc

/// Non-blocking reads and writes on a descriptor: EINTR is retried, EAGAIN becomes
/// `.wouldBlock`, everything else is thrown (as swift-nio's `System.swift` does).
public enum FileDescriptor {
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(POSIXError) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .transferred(n) }
            if n == 0 { return .endOfFile }
            let e = cg_errno()
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw POSIXError("read", e)
        }
    }

    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(POSIXError) -> IOResult {
        guard buffer.count > 0 else { return .transferred(0) }
        while true {
            // MSG_NOSIGNAL: a peer that hung up must cost us an EPIPE, not the process.
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .transferred(n) }
            let e = cg_errno()
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw POSIXError("send", e)
        }
    }

    public static func close(_ fd: Int32) { if fd >= 0 { _ = Glibc.close(fd) } }

    /// Ends the sending side of a socket (a FIN after what is queued); reading goes on. Used
    /// before a close that would otherwise reset a connection with unread bytes.
    public static func shutdownWrite(_ fd: Int32) { if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) } }
}

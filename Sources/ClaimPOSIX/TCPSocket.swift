import CClaimSys
import Glibc

/// Creating, listening on, accepting and connecting TCP sockets (IPv4), all non-blocking.
public enum TCPSocket {
    /// A listening socket on `host:port` (port 0 picks a free one; see `localPort`).
    public static func listen(host: String, port: Int, backlog: Int32 = 4096, reusePort: Bool = false)
        throws(POSIXError) -> Int32
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError("socket", cg_errno()) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var addr = try address(host: host, port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = cg_errno()
            Glibc.close(fd)
            throw POSIXError("bind \(host):\(port)", e)
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let e = cg_errno()
            Glibc.close(fd)
            throw POSIXError("listen", e)
        }
        return fd
    }

    /// The port a socket is bound to.
    public static func localPort(_ fd: Int32) -> Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The next pending connection, non-blocking and with TCP_NODELAY, or nil when none is
    /// waiting. Errors that concern only that one connection (it was reset) also give nil.
    public static func accept(_ listener: Int32) throws(POSIXError) -> Int32? {
        while true {
            let fd = cg_accept_nonblock(listener)
            if fd >= 0 {
                setNoDelay(fd)
                return fd
            }
            let e = cg_errno()
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO: return nil
            default: throw POSIXError("accept4", e)
            }
        }
    }

    /// Starts a non-blocking connect. Returns the socket; `connected` is false while the
    /// handshake is in progress (wait for writability, then check `pendingError`).
    public static func connect(host: String, port: Int) throws(POSIXError) -> (fd: Int32, connected: Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError("socket", cg_errno()) }
        setNoDelay(fd)
        var addr: sockaddr_in
        do { addr = try address(host: host, port: port) } catch {
            Glibc.close(fd)
            throw error
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc == 0 { return (fd, true) }
        let e = cg_errno()
        if e == EINPROGRESS || e == EINTR { return (fd, false) }
        Glibc.close(fd)
        throw POSIXError("connect \(host):\(port)", e)
    }

    /// The peer's IPv4 address (network order as a number), or nil if it is not IPv4.
    public static func peerIPv4(_ fd: Int32) -> UInt32? {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) }
        }
        guard rc == 0, addr.sin_family == sa_family_t(AF_INET) else { return nil }
        return addr.sin_addr.s_addr
    }

    /// SO_ERROR of a socket: 0 once a non-blocking connect has succeeded.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 else { return cg_errno() }
        return err
    }

    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func address(host: String, port: Int) throws(POSIXError) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        let h = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, h, &addr.sin_addr) == 1 else { throw POSIXError("inet_pton \(host)", EINVAL) }
        return addr
    }
}

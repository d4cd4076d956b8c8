import ClaimPOSIX
import Glibc

/// A loopback port where every connect is refused, for as long as this value lives: a socket
/// bound to it that never listens, without `SO_REUSEADDR`, so no server another test starts
/// meanwhile can bind it (a port probed and let go could be any new server's a moment later).
public final class RefusingPort: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestRedisError("socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw TestRedisError("bind 127.0.0.1:0: errno \(e)")
        }
        self.fd = fd
        self.port = TCPSocket.localPort(fd)
    }

    deinit { Glibc.close(fd) }
}

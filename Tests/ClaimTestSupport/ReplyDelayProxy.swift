import ClaimRedis
import Foundation
import Glibc

/// A TCP proxy in front of one Redis that can hold back one reply: `holdReply(after:for:)`
/// arms it, and the reply to the next command whose bytes contain the marker reaches the
/// client that long late, as a slow network or a stalled node would deliver it. Everything
/// else passes at once. Blocking sockets and two threads per connection: a test's tool.
public final class ReplyDelayProxy: @unchecked Sendable {
    // @unchecked: `armed` is only touched under `lock`; the rest is set once in init.
    public let port: Int
    private let upstream: RedisEndpoint
    private let listener: Int32
    private let lock = NSLock()
    private var armed: (marker: [UInt8], milliseconds: Int)?

    public init(to upstream: RedisEndpoint) throws {
        self.upstream = upstream
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw TestRedisError("proxy: cannot listen") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// The proxy as a Redis endpoint.
    public var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }

    /// The reply to the next command containing `marker` arrives `milliseconds` late.
    public func holdReply(after marker: String, for milliseconds: Int) {
        lock.withLock { armed = (Array(marker.utf8), milliseconds) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: upstream.port)
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            let hold = HoldFlag()
            Thread { [self] in pump(from: client, to: server, hold: hold, requests: true) }.start()
            Thread { [self] in pump(from: server, to: client, hold: hold, requests: false) }.start()
        }
    }

    /// Copies bytes one way until either side closes. Requests arm `hold` when they carry the
    /// marker; replies wait out a hold before they pass.
    private func pump(from: Int32, to: Int32, hold: HoldFlag, requests: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            let chunk = buffer[..<n]
            if requests {
                lock.withLock {
                    if let a = armed, Self.contains(chunk, a.marker) {
                        armed = nil
                        hold.set(a.milliseconds)
                    }
                }
            } else if let ms = hold.take() {
                usleep(UInt32(ms) * 1000)
            }
            let sent = chunk.withUnsafeBytes { send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == n else { break }
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let h = Array(haystack)
        for i in 0...(h.count - needle.count) where h[i..<(i + needle.count)].elementsEqual(needle) { return true }
        return false
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }
}

/// One connection's pending hold, set by its request side and taken by its reply side.
private final class HoldFlag: @unchecked Sendable {
    // @unchecked: `milliseconds` is only touched under `lock`.
    private let lock = NSLock()
    private var milliseconds: Int?
    func set(_ ms: Int) { lock.withLock { milliseconds = ms } }
    func take() -> Int? {
        lock.withLock {
            defer { milliseconds = nil }
            return milliseconds
        }
    }
}

import ClaimHTTP
import ClaimPOSIX
import Foundation

/// A blocking HTTP/1.1 client for tests: raw bytes out, parsed responses in, every wait
/// bounded (5 s) so a broken server fails a test instead of hanging it.
public final class TestHTTPClient {
    public let fd: Int32
    private var inbound: [UInt8] = []
    private let epoll: Epoll
    /// The last response's status line and header lines as sent (`HTTPResponse` carries only
    /// what claimload needs).
    public private(set) var lastHead = ""
    /// HEAD requests sent by `request` whose (bodiless) answers are not read yet.
    private var headsPending = 0

    public init(port: Int) throws {
        let (fd, _) = try TCPSocket.connect(host: "127.0.0.1", port: port)
        self.fd = fd
        epoll = try Epoll(maxEvents: 4)
        try epoll.add(fd, .readable, token: 1)
    }

    deinit { FileDescriptor.close(fd) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while sent < bytes.count {
            guard MonotonicClock.nanoseconds() < deadline else { throw TestHTTPError("send timed out") }
            switch try bytes.withUnsafeBytes({
                try FileDescriptor.write(fd, UnsafeRawBufferPointer(rebasing: $0[sent...]))
            }) {
            case .transferred(let n): sent += n
            case .wouldBlock: usleep(1000)
            case .endOfFile: throw TestHTTPError("closed")
            }
        }
    }

    /// The next response, or an error if the server closed first or said nothing for 5 s.
    public func response() throws -> HTTPResponse {
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { scratch.deallocate() }
        while true {
            switch inbound.withUnsafeBytes({ HTTPResponseParser().parse($0, toHead: headsPending > 0) }) {
            case .response(let r, let consumed):
                let text = String(decoding: inbound[..<consumed], as: UTF8.self)
                lastHead = text.components(separatedBy: "\r\n\r\n").first ?? text
                inbound.removeFirst(consumed)
                if headsPending > 0 { headsPending -= 1 }
                return r
            case .failed(let why): throw TestHTTPError("bad response: \(why)")
            case .incomplete: break
            }
            guard MonotonicClock.nanoseconds() < deadline else { throw TestHTTPError("no response within 5 s") }
            try epoll.wait(timeoutMilliseconds: 50) { _, _ in }
            switch try FileDescriptor.read(fd, into: scratch) {
            case .transferred(let n): inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
            case .wouldBlock: continue
            case .endOfFile: throw TestHTTPError("closed by server")
            }
        }
    }

    /// A header of the last response (name case-insensitive), nil if it had none.
    public func lastHeader(_ name: String) -> String? {
        for line in lastHead.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// How the server ended the connection (waits up to `seconds`): `"eof"` for a graceful
    /// close (FIN), `"reset"` for a reset (unread bytes at its close), `"open"` if it did not.
    public func ending(within seconds: Double = 2) -> String {
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { scratch.deallocate() }
        while MonotonicClock.nanoseconds() < deadline {
            try? epoll.wait(timeoutMilliseconds: 50) { _, _ in }
            do {
                if case .endOfFile = try FileDescriptor.read(fd, into: scratch) { return "eof" }
            } catch { return error.code == ECONNRESET ? "reset" : "error \(error.code)" }
        }
        return "open"
    }

    /// True if the server sent anything (or closed) within `seconds`; reads nothing, so an
    /// early answer is still there for `response()` (and the test can say it came early).
    public func isReadable(within seconds: Double) -> Bool {
        var readable = !inbound.isEmpty
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        while !readable, MonotonicClock.nanoseconds() < deadline {
            try? epoll.wait(timeoutMilliseconds: 20) { _, _ in readable = true }
        }
        return readable
    }

    /// True once the server has closed the connection (waits up to `seconds`).
    public func isClosedByServer(within seconds: Double = 2) -> Bool {
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { scratch.deallocate() }
        while MonotonicClock.nanoseconds() < deadline {
            try? epoll.wait(timeoutMilliseconds: 50) { _, _ in }
            switch try? FileDescriptor.read(fd, into: scratch) {
            case .endOfFile, nil: return true
            default: continue
            }
        }
        return false
    }

    /// One request, one response.
    public func request(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String = ""
    ) throws -> HTTPResponse {
        if method == "HEAD" { headsPending += 1 }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        try send(text)
        return try response()
    }
}

public struct TestHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

extension HTTPResponse {
    /// The body parsed as a JSON object (Foundation is fine in tests).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimSetup
import Foundation

/// `GET /v1/pools/{pool}`, read once before the run (blocking; not on the measured path).
struct PoolProgress {
    var state: String
    var window: String?
    var released: Int
    var left: Int
    var limit: Int

    static func fetch(host: String, port: Int, pool: String) throws -> PoolProgress {
        let response = try BlockingHTTP.get(host: host, port: port, path: "/v1/pools/\(pool)")
        guard response.status == 200 else {
            throw SetupError(
                "GET /v1/pools/\(pool): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        guard let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw SetupError("GET /v1/pools/\(pool): not a JSON object")
        }
        return PoolProgress(
            state: json["state"] as? String ?? "?", window: (json["window"] as? [String: Any])?["id"] as? String,
            released: json["released"] as? Int ?? 0, left: json["left"] as? Int ?? 0,
            limit: json["limit_per_window"] as? Int ?? 1)
    }
}

/// The gateway's clock (`GET /healthz`), which may be replaying another day (`--now`).
enum GatewayClock {
    static func now(host: String, port: Int, calendar: CityCalendar) throws -> Instant {
        let response = try BlockingHTTP.get(host: host, port: port, path: "/healthz")
        guard let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let text = json["now"] as? String, let now = calendar.parseISO8601(text)
        else { throw SetupError("GET /healthz: \(response.status) without a readable clock") }
        return now
    }
}

/// One request on a fresh connection, waiting for the answer (with a 5 s bound).
enum BlockingHTTP {
    static func get(host: String, port: Int, path: String, clock: any LoopClock = SystemLoopClock()) throws
        -> HTTPResponse
    {
        let url = "http://\(host):\(port)"
        let fd: Int32
        do { (fd, _) = try TCPSocket.connect(host: host, port: port) } catch {
            throw SetupError("cannot connect to \(url): \(error.reason)")
        }
        defer { FileDescriptor.close(fd) }
        let epoll = try Epoll(maxEvents: 4)
        try epoll.add(fd, [.readable, .writable], token: 1)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        var inbound: [UInt8] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 8)
        defer { scratch.deallocate() }
        let deadline = clock.nanoseconds() + 5_000_000_000
        while clock.nanoseconds() < deadline {
            var readable = false
            try epoll.wait(timeoutMilliseconds: 100) { _, ev in readable = readable || ev.contains(.readable) }
            let pending = TCPSocket.pendingError(fd)
            if pending != 0 {
                throw SetupError("cannot connect to \(url): \(POSIXError("connect", pending).reason)")
            }
            if sent < request.count {
                if case .transferred(let n) = try request.withUnsafeBytes({
                    try FileDescriptor.write(fd, UnsafeRawBufferPointer(rebasing: $0[sent...]))
                }) {
                    sent += n
                }
            }
            guard readable else { continue }
            switch try FileDescriptor.read(fd, into: scratch) {
            case .transferred(let n): inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
            case .wouldBlock: continue
            case .endOfFile: break
            }
            if case .response(let r, _) = inbound.withUnsafeBytes({ HTTPResponseParser().parse($0) }) { return r }
        }
        throw SetupError("GET \(url)\(path): no answer within 5 s")
    }
}

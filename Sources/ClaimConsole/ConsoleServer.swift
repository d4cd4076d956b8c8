import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Foundation
import Logging

/// The console's listener and thread: an `EventLoop` and an `HTTPServer` of its own serving a
/// `ConsoleService`, apart from the claim loops (an operator's page never takes a claim loop's
/// time, and a console request that waits on Redis waits on its own thread). `stop()` ends it.
public final class ConsoleServer: Sendable {
    public let port: Int
    private let stopSignal: WakeupSignal
    private let finished = DispatchSemaphore(value: 0)

    /// Listens on `host:port` and serves until `stop()`. `credential`: the operator's bearer
    /// token. `registry` text gives this gateway's claims by pool and outcome.
    public init(
        host: String, port: Int, credential: [UInt8], target: RedisTarget, served: Programme, clock: any ClaimClock,
        metricsText: @escaping @Sendable () -> String, logger: Logger
    ) throws {
        let listener = try TCPSocket.listen(host: host, port: port)
        self.port = TCPSocket.localPort(listener)
        let stop = try WakeupSignal()
        stopSignal = stop
        let done = finished
        Thread {
            defer { done.signal() }
            do {
                let loop = try EventLoop()
                var settings = HTTPServerSettings()
                settings.maxConnections = 256
                settings.fields = ["authorization"]
                let service = ConsoleService(
                    actions: ConsoleActions(target: target, served: served), credential: credential, clock: clock,
                    claimCounts: { ConsoleServer.claimCounts(metricsText()) }, logger: logger)
                let http = try HTTPServer(listener: listener, loop: loop, settings: settings, application: service)
                service.http = http
                let stopper = StopHandler()
                _ = try loop.register(stop.fd, .readable, handler: stopper, tag: 0)
                loop.addBeforeSleep { http.flush() }
                try loop.run { stopper.stopped }
                http.closeAll()
            } catch {
                logger.error("console stopped", metadata: ["error": "\(error)"])
            }
        }.start()
    }

    public func stop() {
        stopSignal.fire()
        _ = finished.wait(timeout: .now() + 5)
    }

    /// `claimgate_claims_total{pool="P",outcome="O"} N` lines as [pool: [outcome: N]], zeros left out.
    static func claimCounts(_ text: String) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("claimgate_claims_total{") {
            guard let pool = line.range(of: "pool=\""), let outcome = line.range(of: "outcome=\""),
                let space = line.lastIndex(of: " "), let n = Double(line[line.index(after: space)...]), n > 0
            else { continue }
            let p = line[pool.upperBound...].prefix { $0 != "\"" }
            let o = line[outcome.upperBound...].prefix { $0 != "\"" }
            out[String(p), default: [:]][String(o)] = Int(n)
        }
        return out
    }
}

/// The stop descriptor's handler: one flag the loop's run condition reads.
private final class StopHandler: EventHandler {
    var stopped = false
    func handleEvents(_ events: EpollEvents, tag: UInt64) { stopped = true }
}

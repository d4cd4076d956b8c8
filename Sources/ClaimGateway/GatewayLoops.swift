import ClaimPOSIX
import Foundation

/// Several event loops serving one address: each a thread with its own listening socket
/// (SO_REUSEPORT, so the kernel spreads new connections), its own connections and its own Redis
/// pipeline. Nothing is shared between them but the `Sendable` configuration, the metrics
/// registry (atomics), the verified tokens they pass each other (`TokenShares`) and the stop
/// signal. Pinned (`pinLoops`), loop i runs on the i-th CPU the
/// process may use, as nginx's `worker_cpu_affinity auto` places its workers; `batchScheduling`
/// runs the loops under SCHED_BATCH.
public final class GatewayLoops: Sendable {
    /// The port the loops listen on (chosen by the kernel when asked for port 0).
    public let port: Int
    public let count: Int
    private let stopSignal: WakeupSignal
    /// Fired by a loop that ended in an error, so a supervisor waiting on it wakes.
    public let died: WakeupSignal
    private let finished: DispatchGroup
    private let failures: FailureCount
    /// How many of the loops have their Redis link (`/healthz` reads it too).
    public let readiness: LoopReadiness

    /// Starts `count` loops on `host:port` with `template` (its `listener` and stop descriptors
    /// are replaced per loop), each pinned to a CPU of its own if `pinLoops`, and each under
    /// SCHED_BATCH if `batchScheduling` (`BatchScheduling`).
    public init(
        count: Int, host: String, port: Int, template: GatewayConfig, pinLoops: Bool = false,
        batchScheduling: Bool = false
    ) throws {
        precondition(count >= 1, "at least one loop")
        let first = try TCPSocket.listen(host: host, port: port, reusePort: true)
        self.port = TCPSocket.localPort(first)
        var listeners = [first]
        do {
            for _ in 1..<count { listeners.append(try TCPSocket.listen(host: host, port: self.port, reusePort: true)) }
        } catch {
            for fd in listeners { FileDescriptor.close(fd) }
            throw error
        }
        self.count = count
        stopSignal = try WakeupSignal()
        died = try WakeupSignal()
        finished = DispatchGroup()
        failures = FailureCount()
        let readiness = LoopReadiness(loops: count)
        self.readiness = readiness
        let shares = count > 1 && template.shareTokens ? TokenShares(loops: count) : nil
        for (i, listener) in listeners.enumerated() {
            var config = template
            config.readiness = readiness
            config.tokenShares = shares
            config.loopIndex = i
            config.listener = listener
            config.stopDescriptors = template.stopDescriptors + [stopSignal.fd]
            config.logger[metadataKey: "loop"] = "\(i)"
            let settings = config
            let (finished, failures, died) = (finished, failures, died)
            finished.enter()
            Thread {
                defer { finished.leave() }
                if pinLoops {
                    if let cpu = CPUAffinity.pinCurrentThread(toAllowed: i) {
                        settings.logger.info("loop pinned", metadata: ["cpu": "\(cpu)"])
                    } else {
                        settings.logger.warning("loop not pinned: the kernel refused the CPU affinity")
                    }
                }
                if batchScheduling, !BatchScheduling.applyToCurrentThread() {
                    settings.logger.warning("loop not under SCHED_BATCH: the kernel refused")
                }
                do { try GatewayServer(config: settings).run() } catch {
                    settings.logger.critical("event loop failed", metadata: ["error": "\(error)"])
                    failures.add()
                    died.fire()
                }
            }.start()
        }
    }

    /// Asks every loop to drain and stop.
    public func stop() { stopSignal.fire() }

    /// Waits until every loop has returned (at most `timeout` seconds); the number that failed,
    /// or nil on timeout.
    public func wait(timeout seconds: Double = .infinity) -> Int? {
        if seconds.isInfinite {
            finished.wait()
            return failures.value
        }
        return finished.wait(timeout: .now() + seconds) == .success ? failures.value : nil
    }
}

/// Loops that ended in an error, counted from their threads.
final class FailureCount: @unchecked Sendable {
    // @unchecked: every access holds `lock`; touched once per failing loop, never per request.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

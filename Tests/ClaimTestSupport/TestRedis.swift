import ClaimPOSIX
import ClaimRedis
import Foundation

/// A real redis-server for the tests of one test process, started on a free loopback port on
/// first use. A watchdog shell stops it when the test process exits, even on a crash.
/// Set `CLAIMGATE_TEST_REDIS=redis://host:port` to use one that is already running, and
/// `CLAIMGATE_TEST_REDIS_SERVER=PATH` to start another server binary than `redis-server` (a
/// Valkey: `scripts/valkey-check.sh`).
public final class TestRedis: Sendable {
    public let endpoint: RedisEndpoint
    /// A cluster node's bus port (`--cluster-port`), which `CLUSTER MEET` must be told.
    public let clusterBusPort: Int?

    private init(endpoint: RedisEndpoint, clusterBusPort: Int? = nil) {
        self.endpoint = endpoint
        self.clusterBusPort = clusterBusPort
    }

    /// The process-wide instance (the error, if redis-server could not be started).
    public static let shared: Result<TestRedis, TestRedisError> = Result { () throws(TestRedisError) in try start() }

    public static func get() throws -> TestRedis { try shared.get() }

    /// A redis-server of the caller's own, never `CLAIMGATE_TEST_REDIS`'s: for a test that
    /// stalls Redis (`CLIENT PAUSE`), which would stall every other test sharing it.
    public static func isolated() throws -> TestRedis { try launch() }

    /// The same with extra `redis-server` arguments (a cluster node: `TestRedisCluster`).
    public static func isolated(arguments: String) throws -> TestRedis { try launch(arguments: arguments) }

    /// A connection without the settings check: some tests set Redis up wrong on purpose.
    public func client() throws -> RedisClient { try RedisClient(endpoint, verifySettings: false) }

    /// Keeps this Redis busy for `milliseconds` with one script, from a thread of its own; the
    /// semaphore is signalled when the script has returned. Use on an `isolated()` Redis.
    public func busy(milliseconds: Int) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let endpoint = endpoint
        Thread {
            let script = """
                local t = redis.call('TIME')
                local start = t[1] * 1000000 + t[2]
                repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > tonumber(ARGV[1]) * 1000
                return 1
                """
            _ = try? RedisClient(endpoint, timeoutMilliseconds: 10_000).command([
                "EVAL", script, "0", "\(milliseconds)",
            ])
            done.signal()
        }.start()
        // Busy for sure before the caller goes on: a PING then gets no answer within 50 ms (a
        // fixed sleep is not enough on a loaded machine: a command could run before the script).
        for _ in 0..<200 {
            let client = try? RedisClient(endpoint, timeoutMilliseconds: 50, verifySettings: false)
            if (try? client?.command(["PING"])) == nil { break }
            usleep(5000)
        }
        return done
    }

    private static func start() throws(TestRedisError) -> TestRedis {
        if let url = ProcessInfo.processInfo.environment["CLAIMGATE_TEST_REDIS"] {
            guard let e = RedisEndpoint(url: url) else { throw TestRedisError("bad CLAIMGATE_TEST_REDIS \(url)") }
            return TestRedis(endpoint: e)
        }
        return try launch()
    }

    /// A free loopback port (bound and let go: another process may still take it before the
    /// server binds it, which `launch` survives by trying again).
    public static func freePort() throws(TestRedisError) -> Int {
        do {
            let probe = try TCPSocket.listen(host: "127.0.0.1", port: 0)
            defer { FileDescriptor.close(probe) }
            return TCPSocket.localPort(probe)
        } catch { throw TestRedisError("no free port: \(error)") }
    }

    /// The same as `isolated(arguments:)` with the ports taken from `ports` (a test of the launch
    /// hands out a taken one first).
    public static func isolated(
        arguments: String, ports: () throws(TestRedisError) -> Int
    ) throws -> TestRedis {
        try launch(arguments: arguments, ports: ports)
    }

    private static func launch(
        arguments: String = "", ports: () throws(TestRedisError) -> Int = freePort
    ) throws(TestRedisError) -> TestRedis {
        // A node a test stops, or a proxy that closes, must fail a write, not end the process.
        signal(SIGPIPE, SIG_IGN)
        // A free port is only free when it was looked at: the suite's own connections take
        // ephemeral ports all the time, and so do the servers other tests start. A server that
        // finds its port (or its cluster bus port) taken exits; start it again on others.
        var why = ""
        for _ in 0..<8 {
            let port = try ports()
            let busPort = arguments.contains("--cluster-enabled yes") ? try ports() : nil
            switch try attempt(arguments: arguments, port: port, busPort: busPort) {
            case .up(let redis): return redis
            case .exited(let log): why = log
            }
        }
        throw TestRedisError("redis-server did not start on 8 free ports; the last said: \(why)")
    }

    private enum Attempt {
        case up(TestRedis)
        /// The server exited before it answered (its log's last lines).
        case exited(String)
    }

    private static func attempt(arguments: String, port: Int, busPort: Int?) throws(TestRedisError) -> Attempt {
        // A directory of this attempt's own: `CONFIG GET dir` tells our server from another
        // that answers on the same port.
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("claimgate-test-redis-\(port)-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let parent = ProcessInfo.processInfo.processIdentifier
        let server = ProcessInfo.processInfo.environment["CLAIMGATE_TEST_REDIS_SERVER"] ?? "redis-server"
        let bus = busPort.map { " --cluster-port \($0)" } ?? ""
        // Foundation's Process starts children with every signal blocked, so the watchdog stops
        // redis-server with SIGKILL, which cannot be blocked (a throwaway test server loses nothing).
        let script = """
            '\(server)' --port \(port) --bind 127.0.0.1 --save '' --appendonly no --dir '\(dir)' \
              --logfile '\(dir)/redis.log' \(arguments)\(bus) & R=$!
            alive() { [ -e /proc/\(parent) ] && ! grep -q '^State:.*Z' /proc/\(parent)/status 2>/dev/null; }
            while alive && kill -0 $R 2>/dev/null; do sleep 0.5; done
            kill -9 $R 2>/dev/null; rm -rf '\(dir)'
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        // Not the test process's pipes: `swift test` waits for them to close.
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw TestRedisError("cannot start redis-server: \(error)") }
        let endpoint = RedisEndpoint(host: "127.0.0.1", port: port)
        var log = ""
        // Up to 10 s: the suite starts many servers at once, and a loaded machine is slow to.
        for _ in 0..<200 {
            if let c = try? RedisClient(endpoint, timeoutMilliseconds: 200, verifySettings: false),
                (try? c.command(["PING"])) == .status("PONG")
            {
                if (try? c.command(["CONFIG", "GET", "dir"]))?.array?.last?.text == dir {
                    return .up(TestRedis(endpoint: endpoint, clusterBusPort: busPort))
                }
                // Someone else's server has the port; ours, if it tried to bind it, has exited.
                return .exited("port \(port) is another server's")
            }
            // The log, while it is there: the watchdog removes it once the server is gone.
            if let text = try? String(contentsOfFile: dir + "/redis.log", encoding: .utf8) { log = text }
            if !p.isRunning {
                return .exited(log.split(separator: "\n").suffix(2).joined(separator: " | "))
            }
            usleep(50_000)
        }
        throw TestRedisError(
            "redis-server on port \(port) did not answer PING within 10 s (is it installed?) \(log.suffix(300))")
    }
}

/// Why the test Redis is not there.
public struct TestRedisError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

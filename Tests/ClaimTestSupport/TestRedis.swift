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

    private init(endpoint: RedisEndpoint) { self.endpoint = endpoint }

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

    private static func launch(arguments: String = "") throws(TestRedisError) -> TestRedis {
        // A node a test stops, or a proxy that closes, must fail a write, not end the process.
        signal(SIGPIPE, SIG_IGN)
        let port: Int
        do {
            let probe = try TCPSocket.listen(host: "127.0.0.1", port: 0)
            port = TCPSocket.localPort(probe)
            FileDescriptor.close(probe)
        } catch { throw TestRedisError("no free port: \(error)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("claimgate-test-redis-\(port)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let parent = ProcessInfo.processInfo.processIdentifier
        let server = ProcessInfo.processInfo.environment["CLAIMGATE_TEST_REDIS_SERVER"] ?? "redis-server"
        // Foundation's Process starts children with every signal blocked, so the watchdog stops
        // redis-server with SIGKILL, which cannot be blocked (a throwaway test server loses nothing).
        let script = """
            '\(server)' --port \(port) --bind 127.0.0.1 --save '' --appendonly no --dir '\(dir)' \
              --logfile '\(dir)/redis.log' \(arguments) & R=$!
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
        // Up to 10 s: the suite starts many servers at once, and a loaded machine is slow to.
        for _ in 0..<200 {
            if let c = try? RedisClient(endpoint, timeoutMilliseconds: 200, verifySettings: false),
                (try? c.command(["PING"])) == .status("PONG")
            {
                return TestRedis(endpoint: endpoint)
            }
            usleep(50_000)
        }
        throw TestRedisError("redis-server on port \(port) did not answer PING within 10 s (is it installed?)")
    }
}

/// Why the test Redis is not there.
public struct TestRedisError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

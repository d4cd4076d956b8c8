import ArgumentParser
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation

/// `claimload`: replays the 10:00 spike against a running gateway, then proves from its own
/// records and from Redis that nothing was oversold and no limit exceeded.
@main
struct ClaimLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimload", abstract: "Load-test a ClaimGate gateway and verify the result.")

    @Option(help: "Gateway URL (loopback only).") var url = "http://127.0.0.1:8080"
    @Option(help: "Pool to claim from.") var pool = "appliance-500"
    @Option(help: "Distinct people.") var users = 100_000
    @Option(help: "Share of requests from people who already claimed (0...1).") var repeatShare = 0.1
    @Option(help: "Concurrent keep-alive connections.") var connections = 64
    @Option(help: "Seconds to send for (at most 600).") var duration = 10.0
    @Option(help: "Requests to send at most.") var requests = 1_000_000
    @Flag(help: "Send a fresh Idempotency-Key with every request.") var idempotencyKeys = false
    @Option(help: "Token secret file (else --token-secret, else $CLAIMGATE_TOKEN_SECRET).") var tokenSecretFile: String?
    @Option(help: "Token secret itself (visible in ps: test systems only).") var tokenSecret: String?
    @Option(help: "Redis URL, to verify against Redis's record.") var redis = "redis://127.0.0.1:6379"
    @Option(help: "Random seed.") var seed: UInt64 = 2022

    func validate() throws {
        guard (1...60_000).contains(connections) else { throw ValidationError("--connections must be 1...60000") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard requests > 0, requests <= 100_000_000 else { throw ValidationError("--requests must be 1...100000000") }
        guard users > 0, (0...1).contains(repeatShare) else {
            throw ValidationError("--users > 0, --repeat-share in 0...1")
        }
    }

    func run() throws {
        cg_ignore_sigpipe_once()
        guard let address = ListenAddress(url) else { throw SetupError("--url \(url): expected http://host:port") }
        guard address.host.hasPrefix("127.") else { throw SetupError("--url must be a loopback address (127.0.0.0/8)") }
        guard let endpoint = RedisEndpoint(url: redis) else {
            throw SetupError("--redis \(redis): expected redis://host:port")
        }
        let secret =
            try tokenSecretFile == nil && tokenSecret != nil
            ? TokenSecret.validated(Array(tokenSecret!.utf8)) : TokenSecret.load(file: tokenSecretFile)

        let before = try PoolProgress.fetch(host: address.host, port: address.port, pool: pool)
        guard let window = before.window else { throw SetupError("pool \(pool) has no open or upcoming window") }
        print(
            "claimload: \(pool) window \(window) (\(before.state)), released \(before.released), left \(before.left); "
                + "\(connections) connections, \(users) users, repeat \(repeatShare), \(duration) s / \(requests) requests"
        )

        let plan = LoadPlan(
            pool: pool, users: users, repeatShare: repeatShare, idempotencyKeys: idempotencyKeys, secret: secret,
            seed: seed)
        let run = try LoadRun(
            host: address.host, port: address.port, connections: connections, durationSeconds: duration,
            maxRequests: requests, plan: plan)
        let results = run.run()
        print(results.report())

        let verdict = try Verdict.check(
            results: results, pool: pool, window: window, limit: before.limit, redis: endpoint)
        print(verdict.line)
        if !verdict.passed { throw ExitCode.failure }
    }
}

func cg_ignore_sigpipe_once() {
    // A gateway closing a connection mid-write must cost an EPIPE, not the load generator.
    signal(SIGPIPE, SIG_IGN)
}

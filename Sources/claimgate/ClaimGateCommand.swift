import ArgumentParser
import ClaimConsole
import ClaimCore
import ClaimGateway
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation
import Logging
import Prometheus

@main
struct ClaimGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimgate", abstract: "The ClaimGate voucher gateway.", version: BuildInfo.version,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)
}

/// `claimgate serve`: one event loop serving the HTTP API on a Redis.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve claims until SIGINT or SIGTERM.")

    @Option(help: "Address to listen on.") var listen = "127.0.0.1:8080"
    @Option(help: ArgumentHelp(RedisCredentials.urlHelp)) var redis = RedisCredentials.defaultURL
    @Option(
        help:
            "Serve this seed file. Without it, the programme loaded in Redis (claimctl load), following each new version without a restart."
    )
    var seed: String?
    @Option(help: "Start the clock at this ISO-8601 instant (it runs on from there).") var now: String?
    @Option(
        help:
            "The identity provider's public keys, a JWKS file (else $CLAIMGATE_JWKS); reloaded on SIGHUP and when the file changes."
    )
    var jwks: String?
    @Flag(
        help:
            "Development only: verify HS256 tokens with a shared secret (--token-secret-file, else $CLAIMGATE_TOKEN_SECRET), which lets this gateway mint any token."
    )
    var devHs256 = false
    @Option(help: "With --dev-hs256: the HS256 secret or keyring JSON file (else $CLAIMGATE_TOKEN_SECRET).")
    var tokenSecretFile: String?
    @Option(
        help:
            "The operators' public keys for store QR codes, a JWKS file (else $CLAIMGATE_STORE_QR_JWKS); reloaded on SIGHUP and when the file changes."
    )
    var storeQRJwks: String?
    @Option(help: "With --dev-hs256: the operators' store QR secret file (else $CLAIMGATE_STORE_QR_SECRET).")
    var storeQRSecretFile: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Flag(help: "Serve without metrics (to measure what they cost).") var noMetrics = false
    @Option(help: "Event loops, each a thread with its own connections and Redis pipeline (default: cores).")
    var threads: Int?
    @Flag(help: "Pin loop i to the i-th CPU the process may use (thread per core; see taskset).")
    var pinLoops = false
    @Flag(
        help:
            "Run the loops under SCHED_BATCH: a loop woken by a reply does not preempt Redis or a client on its CPU (for hosts they share)."
    )
    var batchScheduling = false
    @Option(help: "Requests per second per person, sustained (0: no limit).") var personRate = 5.0
    @Option(help: "Requests per person in a burst.") var personBurst = 10.0
    @Option(help: "Requests per second per client address (0: no limit).") var addressRate = 0.0
    @Option(help: "Requests per client address in a burst.") var addressBurst = 200.0
    @Option(help: "Open connections per client address (0: no limit).") var maxConnectionsPerAddress = 0
    @Option(help: "Seconds of clock skew allowed on token exp/nbf (0...300).") var tokenClockSkew = 30
    @Option(help: "Resident tokens each loop keeps verified (a retry costs a SHA-256, not a signature check; 0: none).")
    var tokenCache = 131_072
    @Flag(
        help:
            "Do not hand the tokens one loop verifies to the other loops' caches (a retap on another loop's connection is verified again; to measure what sharing saves)."
    )
    var noTokenShares = false
    @Option(
        help:
            "People each loop remembers as holding their limit in a window: their further taps are answered limit_reached without Redis (0: none)."
    )
    var limitMarks = 131_072
    @Option(
        help:
            "Bytes per loop for tokens tapped before a window opens, verified by an idle-priority thread so the tap at the opening is a cache hit (0: off)."
    )
    var tokenCheckAheadBytes = 4 << 20
    @Option(help: "Milliseconds a window answered sold_out locally waits before asking Redis again (restocks).")
    var soldOutRecheckMs = 500
    @Option(help: "Answer claims and redemptions only once this many replicas have them (WAIT; 0: off).")
    var waitReplicas = 0
    @Option(help: "Milliseconds WAIT may take before the answer goes out anyway (counted in metrics).")
    var waitTimeoutMs = 100
    @Option(
        help:
            "Milliseconds without a reply before a Redis call fails; a claim already sent is then answered 504 outcome_unknown."
    )
    var redisTimeoutMs = 3000
    @Option(
        help:
            "Milliseconds a loop's view of a pool's progress serves polls before Redis is read again (GET /v1/pools...)."
    )
    var progressRefreshMs = 250
    @Option(
        help: ArgumentHelp(
            "A web origin (https://app.example) whose pages may call the API from a browser (CORS); repeatable.",
            valueName: "origin"))
    var corsOrigin: [String] = []
    @Option(
        help:
            "Serve the operators' console on this address (keep it on loopback or an operators' network); needs an operator credential."
    )
    var adminListen: String?
    @Option(help: "File holding the operator credential for the console (else $CLAIMGATE_ADMIN_CREDENTIAL).")
    var adminCredentialFile: String?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1...256") }
        if !(0...300).contains(tokenClockSkew) { throw ValidationError("--token-clock-skew must be 0...300") }
        if !(0...4_194_304).contains(tokenCache) { throw ValidationError("--token-cache must be 0...4194304") }
        if !(0...4_194_304).contains(limitMarks) { throw ValidationError("--limit-marks must be 0...4194304") }
        if !(0...(256 << 20)).contains(tokenCheckAheadBytes) {
            throw ValidationError("--token-check-ahead-bytes must be 0...268435456")
        }
        if !(10...10_000).contains(soldOutRecheckMs) {
            throw ValidationError("--sold-out-recheck-ms must be 10...10000")
        }
        if !(0...16).contains(waitReplicas) || !(1...10_000).contains(waitTimeoutMs) {
            throw ValidationError("--wait-replicas must be 0...16 and --wait-timeout-ms 1...10000")
        }
        if !(50...60_000).contains(redisTimeoutMs) { throw ValidationError("--redis-timeout-ms must be 50...60000") }
        if !(0...10_000).contains(progressRefreshMs) {
            throw ValidationError("--progress-refresh-ms must be 0...10000")
        }
        if corsOrigin.count > 255 { throw ValidationError("--cors-origin: at most 255 origins") }
        do { _ = try CORSPolicy(origins: corsOrigin) } catch { throw ValidationError(error.description) }
        guard personRate >= 0, addressRate >= 0, personBurst >= 1, addressBurst >= 1, maxConnectionsPerAddress >= 0
        else {
            throw ValidationError("rates must not be negative, bursts at least 1")
        }
    }

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel)?") }
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        let logger = Logger(label: "claimgate")
        do {
            guard let address = ListenAddress(listen) else {
                throw SetupError("--listen \(listen): expected host:port")
            }
            let target = try RedisCredentials.target(redis)
            // A seed file is served as it is; without one, Redis's current version, followed.
            let programme: Programme
            var follower: ProgrammeFollower?
            if let seed {
                programme = try ProgrammeFile.load(seed)
            } else {
                guard let loaded = try ProgrammeVersions.currentProgramme(try target.connect()) else {
                    throw SetupError(
                        "no programme is loaded in Redis at \(redis): run claimctl load SEED, or serve a file with --seed"
                    )
                }
                programme = loaded.programme
                follower = ProgrammeFollower(target: target, version: loaded.version, logger: logger)
            }
            let keys = try TokenKeyFiles.verificationKeys(jwks: jwks, devHS256: devHs256, secretFile: tokenSecretFile)
            if devHs256 {
                logger.warning("--dev-hs256: tokens are checked with a shared secret; not for a real release")
            }
            let storeQRKeys = try TokenKeyFiles.storeQRKeys(
                jwks: storeQRJwks, devHS256: devHs256, secretFile: storeQRSecretFile)
            let clock = try ClockSetting.clock(now: now, calendar: programme.calendar)
            // Block SIGINT/SIGTERM before any thread starts (threads inherit the mask), so the
            // signals arrive only through the signalfd the main thread waits on.
            let signals = try ShutdownSignal()
            if storeQRKeys == nil, programme.pools.contains(where: \.requiresStoreQR) {
                logger.warning(
                    "no store QR keys (--store-qr-jwks): in-store pools will refuse every claim (store_qr_invalid)")
            }
            var template = GatewayConfig(
                listener: -1, redis: target.first, programme: programme, tokenKeys: keys, clock: clock,
                stopDescriptors: [], logger: logger,
                metrics: noMetrics ? nil : PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
            template.storeQRKeys = storeQRKeys
            // A JWKS is followed (the identity provider's, the operators' store QR keys): reloaded
            // keys reach the loops through the box.
            var watchers: [JWKSWatcher] = []
            let tokensPath = devHs256 ? nil : TokenKeyFiles.jwksPath(jwks)
            let storeQRPath =
                devHs256 ? nil : TokenKeyFiles.storeQRJWKSPath(jwks: storeQRJwks, secretFile: storeQRSecretFile)
            if tokensPath != nil || storeQRPath != nil {
                let box = TokenKeysBox(keys, storeQR: storeQRKeys)
                template.tokenKeysBox = box
                if let tokensPath {
                    watchers.append(JWKSWatcher(path: tokensPath, keys: .tokens, box: box, logger: logger))
                }
                if let storeQRPath {
                    watchers.append(JWKSWatcher(path: storeQRPath, keys: .storeQR, box: box, logger: logger))
                }
            }
            template.programmeCheck = try checkShapes(programme, target: target, clock: clock, logger: logger)
            if case .cluster(let seeds) = target { template.clusterSeeds = seeds }
            template.tokenClockSkewMilliseconds = Int64(tokenClockSkew) * 1000
            template.tokenCacheEntries = tokenCache
            template.shareTokens = !noTokenShares
            template.reachedLimitEntries = limitMarks
            template.tokenCheckAheadBytes = tokenCheckAheadBytes
            template.waitReplicas = waitReplicas
            template.soldOutRecheckMilliseconds = UInt64(soldOutRecheckMs)
            template.waitTimeoutMilliseconds = waitTimeoutMs
            template.redisTimeoutMilliseconds = UInt64(redisTimeoutMs)
            template.progressRefreshMilliseconds = UInt64(progressRefreshMs)
            template.cors = try CORSPolicy(origins: corsOrigin)
            template.personRate = personRate > 0 ? RateLimit(burst: personBurst, perSecond: personRate) : nil
            template.addressRate = addressRate > 0 ? RateLimit(burst: addressBurst, perSecond: addressRate) : nil
            template.maxConnectionsPerAddress = maxConnectionsPerAddress > 0 ? maxConnectionsPerAddress : nil
            template.programmeVersion = follower?.version
            let count = threads ?? ProcessInfo.processInfo.activeProcessorCount
            var loops = try GatewayLoops(
                count: count, host: address.host, port: address.port, template: template, pinLoops: pinLoops,
                batchScheduling: batchScheduling)
            let console = try startConsole(
                target: target, programme: programme, clock: clock, metrics: template.metrics, logger: logger)
            defer { console?.stop() }
            logger.info(
                "listening",
                metadata: [
                    "url": "http://\(address.host):\(loops.port)", "loops": "\(loops.count)", "clock": "\(clock.now())",
                    "programme": "\(seed ?? "redis, version \(follower?.version ?? 0)")",
                ])
            serving: while true {
                // Stop signals and a failed loop end the wait; SIGHUP reloads the keys; a second
                // passing, when following Redis or a JWKS, is the time to look again.
                switch signals.wait(
                    orReadable: loops.died.fd, milliseconds: follower == nil && watchers.isEmpty ? -1 : 1000)
                {
                case .signal, .readable: break serving
                case .hangup:
                    if watchers.isEmpty { logger.info("SIGHUP: no --jwks or --store-qr-jwks to reload") }
                    for w in watchers { w.check(force: true) }
                    continue
                case .timeout: for w in watchers { w.check(force: false) }
                }
                guard let follower, let newer = follower.newer() else { continue }
                let (version, next) = (newer.version, newer.programme)
                // A new version: new loops on the same port (SO_REUSEPORT) take new connections
                // before the old ones drain, so nothing is refused in between.
                follower.settle(on: version)
                do {
                    let conflicts = try PoolShapes(client: try target.connect()).reconcile(next, now: clock.now())
                    guard conflicts.isEmpty else { throw Self.refusal(conflicts) }
                    var t = template
                    t.programme = next
                    t.programmeVersion = version
                    let replacement = try GatewayLoops(
                        count: count, host: address.host, port: loops.port, template: t, pinLoops: pinLoops,
                        batchScheduling: batchScheduling)
                    // The old loops serve until the new ones can (their Redis links up, 5 s at most).
                    for _ in 0..<500 where !replacement.readiness.allReady { usleep(10_000) }
                    loops.stop()
                    if let failed = loops.wait(timeout: 30), failed > 0 {
                        logger.error("\(failed) event loops of the old programme failed while draining")
                    }
                    loops = replacement
                    logger.info(
                        "serving a new programme version",
                        metadata: ["version": "\(version)", "programme": "\(next.id)", "pools": "\(next.pools.count)"])
                } catch {
                    logger.error(
                        "not serving programme version \(version): still serving the one before",
                        metadata: ["error": "\(error)"])
                }
            }
            loops.stop()
            if let failed = loops.wait(), failed > 0 { throw SetupError("\(failed) event loops failed") }
        } catch {
            logger.critical("cannot serve", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}

extension Serve {
    /// Refuses to serve a seed that changes the shape of a live window (`PoolShapes`). Redis up:
    /// checked now, and a conflict stops the start. Redis down: the loops start closed to
    /// claims and a thread checks once it is up; a conflict found then ends the process, as it
    /// would have at start.
    func checkShapes(_ programme: Programme, target: RedisTarget, clock: any ClaimClock, logger: Logger) throws
        -> ProgrammeCheck
    {
        switch Self.attempt(programme, target, clock) {
        case .success(let conflicts):
            guard conflicts.isEmpty else { throw Self.refusal(conflicts) }
            return ProgrammeCheck(passed: true)
        case .failure(let error):
            logger.warning(
                "cannot check the programme against redis yet; claims wait for it", metadata: ["error": "\(error)"])
            let check = ProgrammeCheck(passed: false)
            Thread {
                while true {
                    if case .success(let conflicts) = Self.attempt(programme, target, clock) {
                        guard conflicts.isEmpty else {
                            logger.critical("cannot serve", metadata: ["error": "\(Self.refusal(conflicts))"])
                            Foundation.exit(1)
                        }
                        check.pass()
                        logger.info("programme checked against redis; claims open")
                        return
                    }
                    usleep(200_000)
                }
            }.start()
            return check
        }
    }

    private static func attempt(_ programme: Programme, _ target: RedisTarget, _ clock: any ClaimClock) -> Result<
        [PoolShapes.Conflict], RedisError
    > {
        Result { () throws(RedisError) in
            try PoolShapes(client: try target.connect()).reconcile(programme, now: clock.now())
        }
    }

    /// The operators' console on `--admin-listen`, with its credential, or nil when not asked for.
    func startConsole(
        target: RedisTarget, programme: Programme, clock: any ClaimClock, metrics: PrometheusMetricsFactory?,
        logger: Logger
    ) throws -> ConsoleServer? {
        guard let adminListen else { return nil }
        guard let address = ListenAddress(adminListen) else {
            throw SetupError("--admin-listen \(adminListen): expected host:port")
        }
        let credential: String
        if let adminCredentialFile {
            guard let data = FileManager.default.contents(atPath: adminCredentialFile) else {
                throw SetupError("--admin-credential-file \(adminCredentialFile): cannot be read")
            }
            credential = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            credential = ProcessInfo.processInfo.environment["CLAIMGATE_ADMIN_CREDENTIAL"] ?? ""
        }
        guard credential.utf8.count >= 16 else {
            throw SetupError(
                "the console needs an operator credential of at least 16 characters: --admin-credential-file or CLAIMGATE_ADMIN_CREDENTIAL"
            )
        }
        if !address.host.hasPrefix("127.") {
            logger.warning("the console listens beyond loopback", metadata: ["address": "\(adminListen)"])
        }
        let registry = metrics?.registry
        let console = try ConsoleServer(
            host: address.host, port: address.port, credential: Array(credential.utf8), target: target,
            served: programme, clock: clock, metricsText: { registry?.emitToString() ?? "" }, logger: logger)
        logger.info("console", metadata: ["url": "http://\(address.host):\(console.port)/"])
        return console
    }

    private static func refusal(_ conflicts: [PoolShapes.Conflict]) -> SetupError {
        SetupError("a live window's shape changes: " + conflicts.map(\.description).joined(separator: "; "))
    }
}

import ArgumentParser
import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimLoadReport
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation

/// `claimload`: replays the 10:00 spike against a running gateway, then proves from its own
/// records and from Redis that nothing was oversold and no limit exceeded.
@main
struct ClaimLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimload", abstract: "Load-test a ClaimGate gateway and verify the result.",
        discussion: """
            Scenarios:
              spike        claims on one pool (--pool) by --users people, --repeat-share of them again.
              release-day  claims on every pool with a window today, across the gateway's 10:00 (start
                           the gateway with --now 2022-06-10T09:59:50+08:00), then merchants redeem
                           --redeem-share of the vouchers (some orders retried, some vouchers tried
                           twice); the verdict checks stock, limits, usage and redemptions.

            Exit status: 0 the verdict passed and every --threshold was met; 1 the verdict failed
            (something oversold, a limit exceeded, an answer contradicted by Redis); 3 the verdict
            passed but a threshold was missed; 64 a usage error.
            """, version: BuildInfo.version)

    enum Scenario: String, ExpressibleByArgument {
        case spike
        case releaseDay = "release-day"
        /// Plain GETs of --path (no tokens, no verdict): claimload's own ceiling.
        case get
    }

    @Option(
        help:
            "Gateway URL, or several comma-separated (connections spread over them; loopback or a test network's 198.18.0.0/15 only)."
    )
    var url = "http://127.0.0.1:8080"
    @Option(help: "spike, release-day, or get (plain GETs of --path, no verdict).") var scenario: Scenario = .spike
    @Option(help: "Pool to claim from (spike).") var pool = "appliance-500"
    @Option(help: "Path to GET (--scenario get).") var path = "/healthz"
    @Option(help: "Distinct people.") var users = 100_000
    @Option(help: "Share of requests from people who already claimed (0...1).") var repeatShare = 0.1
    @Option(help: "Concurrent keep-alive connections.") var connections = 64
    @Option(help: "Seconds to send claims for (at most 600).") var duration = 10.0
    @Option(help: "Claims to send at most.") var requests = 1_000_000
    @Option(help: "Open loop: claims per second on a fixed schedule, latency from each claim's due time.")
    var rate: Double?
    @Option(help: "Open loop: seconds to ramp up to --rate.") var ramp = 0.0
    @Option(help: "Open loop: first seconds sent but not counted in latencies and outcomes.") var warmup = 0.0
    @Option(help: "Share of granted vouchers to redeem afterwards (release-day; 0...1).") var redeemShare = 0.3
    @Flag(help: "Send a fresh Idempotency-Key with every claim.") var idempotencyKeys = false
    @Flag(
        help:
            "Each person taps over one connection of their own (shared with others), as a phone keeps its connection alive: a retap reaches the gateway loop that saw them."
    )
    var stickyPeople = false
    @Option(
        help:
            "Send a claim again, same bytes and key, when its connection breaks before the answer or it is answered 504 (times)."
    )
    var resendLost = 0
    @Option(help: "Programme seed file (pools, stores).") var seedFile = "seeds/shenyang-2022.json"
    @Option(help: "Store whose QR code in-store claims carry (default: the first listed).") var store: String?
    @Option(help: "Private key tokens are signed with (a JWK from claimctl keys generate; else $CLAIMGATE_TOKEN_KEY).")
    var tokenKeyFile: String?
    @Flag(help: "Sign HS256 with a shared secret, for a gateway run with --dev-hs256.") var devHs256 = false
    @Option(help: "With --dev-hs256: secret file (else --token-secret, else $CLAIMGATE_TOKEN_SECRET).")
    var tokenSecretFile: String?
    @Option(help: "With --dev-hs256: the secret itself (visible in ps: test systems only).") var tokenSecret: String?
    @Option(help: "The operators' store QR private key (a JWK; else $CLAIMGATE_STORE_QR_KEY).")
    var storeQRKeyFile: String?
    @Option(help: "With --dev-hs256: the store QR secret file (else $CLAIMGATE_STORE_QR_SECRET).")
    var storeQRSecretFile: String?
    @Option(help: ArgumentHelp("To verify against Redis's record. " + RedisCredentials.urlHelp)) var redis =
        RedisCredentials.defaultURL
    @Option(help: "Random seed of the workload (who claims when); the same seed repeats a run.")
    var randomSeed: UInt64 = 2022
    @Option(help: .hidden) var seed: String?
    @Option(
        name: .customLong("threshold"),
        help: ArgumentHelp(
            "A pass mark beside the verdict, repeatable: p50/p90/p99/p99.9/max<TIME (800us, 10ms, 1s), error_rate<0.1%, rate>=30000.",
            valueName: "measure<bound"))
    var thresholds: [String] = []
    @Option(help: "People are <prefix><n>; a new prefix gives new people on the same Redis.") var personPrefix = "u"
    @Option(help: "Write results.json, report.html and the charts as SVG files into this folder.") var report: String?
    @Option(help: "Write every claim and its answer as JSON lines to this file (for scripts/history-check.py).")
    var history: String?
    @Option(
        help:
            "Worker processes sharing the load (connections, rate, requests, people), started at one instant; their HDR histograms and records are merged into one result and one verdict (spike, get)."
    )
    var workers = 1
    /// A worker's index, the folder where it agrees the start with the others
    /// (`WorkerStartGate`), and where it writes what it saw (`LoadCoordinator`).
    @Option(help: .hidden) var workerIndex: Int?
    @Option(help: .hidden) var startGate: String?
    @Option(help: .hidden) var workerOut: String?

    func validate() throws {
        guard (1...60_000).contains(connections) else { throw ValidationError("--connections must be 1...60000") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard requests > 0, requests <= 100_000_000 else { throw ValidationError("--requests must be 1...100000000") }
        guard users > 0, (0...1).contains(repeatShare), (0...1).contains(redeemShare) else {
            throw ValidationError("--users > 0, --repeat-share and --redeem-share in 0...1")
        }
        guard (0...10).contains(resendLost) else { throw ValidationError("--resend-lost must be 0...10") }
        if resendLost > 0, !idempotencyKeys {
            throw ValidationError(
                "--resend-lost needs --idempotency-keys: a resent claim without a key may be granted twice")
        }
        if let rate, !(rate > 0 && rate <= 10_000_000) { throw ValidationError("--rate must be in (0, 10000000]") }
        guard ramp >= 0, warmup >= 0, ramp < duration, warmup < duration else {
            throw ValidationError("--ramp and --warmup must be shorter than --duration")
        }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1...64") }
        if workers > 1, scenario == .releaseDay || history != nil {
            throw ValidationError("--workers runs spike and get scenarios, without --history")
        }
        if workers > connections { throw ValidationError("--workers needs at least one connection each") }
        if seed != nil {
            throw ValidationError("--seed is now --random-seed (the programme's seed file is --seed-file)")
        }
        for t in thresholds {
            do { _ = try LoadThreshold(t) } catch { throw ValidationError(error.description) }
        }
        guard Identifier.isValid(personPrefix + String(users)) else {
            throw ValidationError("--person-prefix must be a short identifier ([A-Za-z0-9_.-])")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        var gateways: [ListenAddress] = []
        for u in url.split(separator: ",").map(String.init) {
            guard let a = ListenAddress(u) else { throw SetupError("--url \(u): expected http://host:port") }
            // Loopback, or the benchmark range (RFC 2544) that loadtest/net/faults.sh gives its namespaces.
            guard a.host.hasPrefix("127.") || a.host.hasPrefix("198.18.") || a.host.hasPrefix("198.19.") else {
                throw SetupError("--url must be loopback (127.0.0.0/8) or a test network's (198.18.0.0/15) addresses")
            }
            gateways.append(a)
        }
        guard let address = gateways.first else { throw SetupError("--url: at least one gateway") }
        if scenario == .get {
            let results: LoadResults
            if workers > 1 {
                results = try coordinate().outputs.reduce(into: LoadResults()) { $0.merge($1.results) }
            } else {
                let workload = HTTPGetWorkload(path: path, host: address.host)
                let run = try LoadRun(
                    gateways: gateways.map { ($0.host, $0.port) }, connections: connections, durationSeconds: duration,
                    maxRequests: requests, workload: workload)
                // Open loop too (--rate): against a trivial server, claimload's own latency floor.
                run.pace = rate.map { LoadRun.Pace(rate: $0, rampSeconds: ramp, warmupSeconds: warmup) }
                try awaitStart()
                results = run.run()
                if let workerOut { return try WorkerOutput(results: results, record: nil).write(to: workerOut) }
            }
            print(results.report("GET \(path)" + (workers > 1 ? " (\(workers) workers)" : "")))
            let failures = results.answered - results.outcomes["ok", default: 0]
            guard failures == 0 else { throw SetupError("\(failures) answers were not 200") }
            return
        }
        let endpoint = try RedisCredentials.target(redis)
        let secret: TokenSigning
        if devHs256, tokenSecretFile == nil, let tokenSecret {
            secret = .sharedSecret(TokenKeyring(secret: try TokenSecret.validated(Array(tokenSecret.utf8))))
        } else {
            secret = try TokenKeyFiles.signing(keyFile: tokenKeyFile, devHS256: devHs256, secretFile: tokenSecretFile)
        }
        let programme = try ProgrammeFile.load(seedFile)
        var gatewayNow = try GatewayClock.now(host: address.host, port: address.port, calendar: programme.calendar)
        let fetchedAt = SystemClock().now()
        let today = programme.calendar.date(of: gatewayNow)

        // The pools under test and the window each is claimed in.
        let chosen: [Pool]
        switch scenario {
        case .spike, .get:
            guard let p = programme.pool(id: pool) else { throw SetupError("no pool \(pool) in \(seedFile)") }
            chosen = [p]
        case .releaseDay:
            // Every pool open now, or opening later today.
            chosen = programme.pools.filter { p in
                switch programme.position(of: p, at: gatewayNow) {
                case .open: true
                case .upcoming(let w): programme.calendar.date(of: w.opensAt) == today
                case .ended: false
                }
            }
        }
        var targets: [Verdict.PoolUnderTest] = []
        for p in chosen {
            let progress = try PoolProgress.fetch(host: address.host, port: address.port, pool: p.id)
            guard let window = progress.window else { continue }
            targets.append(Verdict.PoolUnderTest(pool: p, window: window))
        }
        guard !targets.isEmpty else { throw SetupError("no pool has an open or upcoming window at \(gatewayNow)") }

        let qr = try storeQR(programme: programme, day: today, needed: targets.contains { $0.pool.requiresStoreQR })
        let claims = ClaimWorkload(
            targets: targets.map { .init(pool: $0.pool.id, storeQR: $0.pool.requiresStoreQR ? qr : nil) }, users: users,
            repeatShare: repeatShare, idempotencyKeys: idempotencyKeys, secret: secret, seed: randomSeed,
            personPrefix: personPrefix, stickyConnections: stickyPeople ? connections : nil)
        if let history { claims.history = try ClaimHistory(path: history) }
        print(
            "claimload \(scenario.rawValue): gateway clock \(programme.calendar.iso8601(gatewayNow)); pools "
                + targets.map { "\($0.pool.id)@\($0.window)" }.joined(separator: " ")
                + "; \(connections) connections, \(users) users, repeat \(repeatShare), \(duration) s / \(requests) claims"
        )
        var claimResults = LoadResults()
        var record = ClaimRecord()
        var signed = (beforeClock: 0, whileTimed: 0)
        if workers > 1 {
            let (outputs, startAt) = try coordinate()
            // The workers started later than the clock was read: the run's first second is theirs.
            gatewayNow = gatewayNow.adding(milliseconds: startAt - fetchedAt.unixMilliseconds)
            for output in outputs {
                claimResults.merge(output.results)
                if let r = output.record { record.merge(r) }
                signed.beforeClock += output.signedBeforeClock
                signed.whileTimed += output.signedWhileTimed
            }
        } else {
            // An open loop's people are signed for before its clock starts (a worker's before it
            // says it is ready: the start waits for every worker's).
            if let rate {
                claims.presign(people: min(users, requests, Int(rate * (duration + 1))))
                // The gateway's clock ran on meanwhile: the run's first second is now.
                gatewayNow = gatewayNow.adding(
                    milliseconds: SystemClock().now().unixMilliseconds - fetchedAt.unixMilliseconds)
            }
            let claimRun = try LoadRun(
                gateways: gateways.map { ($0.host, $0.port) }, connections: connections, durationSeconds: duration,
                maxRequests: requests, workload: claims)
            // A live line on a terminal; nothing extra when the output is a file or a pipe.
            claimRun.showProgress = workerOut == nil && isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
            claimRun.resendLost = resendLost
            claimRun.pace = rate.map { LoadRun.Pace(rate: $0, rampSeconds: ramp, warmupSeconds: warmup) }
            try awaitStart()
            claimResults = claimRun.run()
            claims.finishHistory()
            record = claims.record
            signed = (claims.signedBeforeClock, claims.signedWhileTimed)
            if let workerOut {
                return try WorkerOutput(
                    results: claimResults, record: record, signedBeforeClock: signed.beforeClock,
                    signedWhileTimed: signed.whileTimed
                ).write(to: workerOut)
            }
            if claimRun.warmupAnswers > 0 { print("warm-up: \(claimRun.warmupAnswers) answers not counted below") }
        }
        print(
            claimResults.report(
                (rate == nil ? "claims" : "claims (open loop, latency from due time)")
                    + (workers > 1 ? ", \(workers) workers merged" : "")))
        // A signature made while the clock runs is the load generator's time, not the gateway's.
        if rate != nil {
            print("tokens: \(signed.beforeClock) signed before the clock, \(signed.whileTimed) while it ran")
        }

        let parsed = try thresholds.map { t throws in try LoadThreshold(t) }
        var figures = RunFigures.make(
            claimResults,
            config: .init(
                scenario: scenario.rawValue, urls: gateways.map { "http://\($0.host):\($0.port)" },
                pools: targets.map(\.pool.id), connections: connections, users: users, repeatShare: repeatShare,
                durationSeconds: duration, maxRequests: requests, targetRate: rate, rampSeconds: ramp,
                warmupSeconds: warmup, idempotencyKeys: idempotencyKeys, resendLost: resendLost,
                randomSeed: randomSeed, workers: workers),
            pools: targets.map(\.pool.id), thresholds: parsed,
            unanswered: record.unanswered.values.reduce(0) { $0 + $1.values.reduce(0, +) })
        for line in RunFigures.pacingLines(figures) { print(line) }
        figures.gatewayClockAtStart = programme.calendar.iso8601(gatewayNow)
        figures.releaseSecond = RunFigures.releaseSecond(
            windows: targets.compactMap { $0.pool.schedule.window(id: $0.window, in: programme.calendar)?.opensAt },
            start: gatewayNow, elapsedSeconds: figures.elapsedSeconds)

        var redemptions: RedemptionWorkload?
        if scenario == .releaseDay, redeemShare > 0 {
            let r = RedemptionWorkload(
                grants: claims.ledgers, programme: programme, share: redeemShare, secret: secret,
                residentToken: { claims.residentToken(person: $0) }, seed: randomSeed &+ 1, host: address.host)
            let run = try LoadRun(
                gateways: gateways.map { ($0.host, $0.port) }, connections: min(connections, 32), durationSeconds: 120,
                maxRequests: r.total, workload: r)
            let redeemed = run.run()
            print(redeemed.report("redemptions"))
            figures.redemptions = RunFigures.group("redemptions", redeemed)
            redemptions = r
        }

        let verdict = try Verdict.check(pools: targets, claims: record, redemptions: redemptions, redis: endpoint)
        print(verdict.line)
        figures.verdictPassed = verdict.passed
        figures.verdict = verdict.line
        let met = figures.check(parsed)
        for t in parsed { print(t.line(for: figures)) }
        if let report {
            // Whole seconds only: the answers still in flight at the end make a misleading last point.
            let whole = Int(claimResults.elapsedNanoseconds / 1_000_000_000)
            let files = try ReportWriter().write(
                claimResults.timeline.prefix(seconds: whole),
                summary: .init(
                    title: "claimload \(scenario.rawValue)", verdict: verdict.line,
                    figures: summaryFigures(
                        claimResults, targets: targets, gatewayNow: gatewayNow, programme: programme),
                    secondLabels: RunFigures.secondLabels(
                        count: whole, start: gatewayNow, calendar: programme.calendar)),
                figures: figures, hgrm: RunFigures.hgrm(claimResults.latency), to: report)
            print("report: \(files.joined(separator: " "))")
        }
        if !verdict.passed { throw ExitCode.failure }
        if !met {
            print(
                "THRESHOLDS MISSED: \(figures.thresholds.filter { !$0.met }.map(\.threshold).joined(separator: ", "))")
            throw ExitCode(3)
        }
    }

    /// Runs this command's load in `workers` processes and returns what each saw.
    private func coordinate() throws -> (outputs: [WorkerOutput], startAt: Int64) {
        let n = workers
        return try LoadCoordinator(
            arguments: { i, startGate, output in
                var a = [
                    "--url", url, "--scenario", scenario.rawValue, "--pool", pool, "--path", path,
                    "--users", String(LoadCoordinator.share(users, worker: i, of: n)), "--repeat-share",
                    String(repeatShare),
                    "--connections", String(LoadCoordinator.share(connections, worker: i, of: n)),
                    "--duration", String(duration), "--requests",
                    String(LoadCoordinator.share(requests, worker: i, of: n)),
                    "--ramp", String(ramp), "--warmup", String(warmup), "--resend-lost", String(resendLost),
                    "--seed-file", seedFile, "--redis", redis, "--random-seed", String(randomSeed &+ UInt64(i)),
                    // Each worker claims as people of its own: no one's limit is shared across workers.
                    "--person-prefix", "\(personPrefix)\(i)-", "--worker-index", String(i), "--start-gate", startGate,
                    "--worker-out", output,
                ]
                if let rate { a += ["--rate", String(rate / Double(n))] }
                if idempotencyKeys { a.append("--idempotency-keys") }
                if stickyPeople { a.append("--sticky-people") }
                if let store { a += ["--store", store] }
                if let tokenKeyFile { a += ["--token-key-file", tokenKeyFile] }
                if devHs256 { a.append("--dev-hs256") }
                if let tokenSecretFile { a += ["--token-secret-file", tokenSecretFile] }
                if let tokenSecret { a += ["--token-secret", tokenSecret] }
                if let storeQRKeyFile { a += ["--store-qr-key-file", storeQRKeyFile] }
                if let storeQRSecretFile { a += ["--store-qr-secret-file", storeQRSecretFile] }
                return a
            }, workers: n
        ).run()
    }

    /// A worker says it is ready (its tokens signed, its connections open) and waits for the
    /// start the coordinator names; a run of one process starts at once.
    private func awaitStart() throws {
        guard let startGate, let workerIndex else { return }
        let gate = WorkerStartGate(directory: startGate)
        try gate.markReady(worker: workerIndex)
        try gate.awaitStart()
    }

    private func summaryFigures(
        _ r: LoadResults, targets: [Verdict.PoolUnderTest], gatewayNow: Instant, programme: Programme
    ) -> [(String, String)] {
        let seconds = Double(r.elapsedNanoseconds) / 1e9
        func ms(_ p: Double) -> String { String(format: "%.3f ms", Double(r.latency.valueAtPercentile(p)) / 1e6) }
        return [
            ("gateway clock at start", programme.calendar.iso8601(gatewayNow)),
            ("pools", targets.map { "\($0.pool.id) (\($0.window))" }.joined(separator: ", ")),
            ("connections", "\(connections)"),
            ("people", "\(users), repeat share \(repeatShare)\(stickyPeople ? ", each on one connection" : "")"),
            (
                "claims answered",
                String(format: "%d in %.2f s = %.0f/s", r.answered, seconds, Double(r.answered) / max(seconds, 1e-9))
            ),
            ("latency", "p50 \(ms(50)), p90 \(ms(90)), p99 \(ms(99)), p99.9 \(ms(99.9))"),
            ("outcomes", r.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("sold out", r.timeline.sellOutSecond.map { "in second \($0)" } ?? "not within the run"),
        ]
    }

    /// The chosen store's QR code for `day`, if any pool under test needs one.
    private func storeQR(programme: Programme, day: CivilDate, needed: Bool) throws -> String? {
        guard needed else { return nil }
        let signing = try TokenKeyFiles.storeQRSigning(
            keyFile: storeQRKeyFile, devHS256: devHs256, secretFile: storeQRSecretFile)
        guard let id = store ?? programme.stores.sorted().first, programme.stores.contains(id) else {
            throw SetupError("no such store \(store ?? "(none listed)")")
        }
        return signing.signer().sign(payload: StoreQRCode(store: id, day: day).payload())
    }
}

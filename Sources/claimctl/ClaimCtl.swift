import ArgumentParser
import ClaimAuth
import ClaimCore
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation
import Logging

/// One JSON line on stderr per operator action (the tables on stdout are for people).
/// The operators' record of what they did (one JSON line per action), only when asked:
/// `$CLAIMGATE_OPERATOR_LOG` names a file to append to, or `-` for stderr. Unasked, nothing is
/// written, so `Q=$(claimctl store-qr ...)` in a script prints nothing besides its answer.
let operatorLog: Logger = {
    let target = ProcessInfo.processInfo.environment["CLAIMGATE_OPERATOR_LOG"] ?? ""
    let fd: Int32 =
        target.isEmpty ? -1 : target == "-" ? 2 : open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
    if fd < 0, !target.isEmpty {
        FileHandle.standardError.write(Data("claimctl: cannot open CLAIMGATE_OPERATOR_LOG \(target)\n".utf8))
    }
    LoggingSystem.bootstrap { label -> any LogHandler in
        fd < 0 ? SwiftLogNoOpLogHandler() : JSONLogHandler(label: label, descriptor: fd)
    }
    return Logger(label: "claimctl")
}()

@main
struct ClaimCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimctl", abstract: "Operate a ClaimGate programme in Redis.", version: BuildInfo.version,
        subcommands: [
            Load.self, Check.self, Open.self, Reset.self, Rebalance.self, Pause.self, Resume.self, Stats.self,
            Audit.self, Token.self, Keys.self,
            MerchantTokenCommand.self,
            StoreQR.self,
            GrantList.self,
        ])

    /// Exit codes an operator's script can act on: 0 done; 1 a finding (audit) or a refusal;
    /// 2 Redis could not be reached or was refused for its settings; 64 a usage error (what
    /// ArgumentParser gives a `ValidationError`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let redis = error as? RedisError {
                switch redis {
                case .connection, .misconfigured:
                    FileHandle.standardError.write(Data("Error: \(redis)\n".utf8))
                    Foundation.exit(2)
                default: break
                }
            }
            exit(withError: error)
        }
    }
}

/// Options every Redis-facing subcommand takes. The programme is the one loaded in Redis
/// (`ProgrammeVersions`): a seed file is read only by `load` and `check`.
struct Connection: ParsableArguments {
    @Option(help: ArgumentHelp(RedisCredentials.urlHelp)) var redis = RedisCredentials.defaultURL
    @Option(help: .hidden) var seed: String?
    @Option(help: "Act as if it were this ISO-8601 instant.") var now: String?

    func validate() throws {
        if seed != nil {
            throw ValidationError(
                "claimctl acts on the programme loaded in Redis; --seed is gone (load a seed with claimctl load SEED)")
        }
    }

    func client() throws -> any RedisCommands {
        // A node that closes the connection must fail the write (reported), not kill claimctl.
        signal(SIGPIPE, SIG_IGN)
        return try RedisCredentials.target(redis).connect()
    }

    /// The programme loaded in Redis (its current version).
    func programme() throws -> Programme {
        guard let loaded = try ProgrammeVersions.currentProgramme(try client()) else {
            throw SetupError("no programme is loaded in Redis at \(redis): run claimctl load SEED first")
        }
        return loaded.programme
    }

    func instant(_ programme: Programme) throws -> Instant {
        try ClockSetting.clock(now: now, calendar: programme.calendar).now()
    }
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Load a programme into Redis as its next version (the same file again changes nothing): claimctl and every gateway following Redis act on it."
    )
    @OptionGroup var connection: Connection
    @Argument(help: "Seed file.") var file: String

    func run() throws {
        let programme = try ProgrammeFile.load(file)
        guard let seed = FileManager.default.contents(atPath: file) else { throw SetupError("cannot read \(file)") }
        let client = try connection.client()
        try checkShapes(programme, client: client, now: try connection.instant(programme))
        try ProgrammeStore(client: client).load(programme)
        let (version, changed) = try ProgrammeVersions.record(client, seed: Array(seed))
        operatorLog.info(
            "operator action",
            metadata: [
                "action": "load", "programme": "\(programme.id)", "pools": "\(programme.pools.count)",
                "version": "\(version)", "changed": "\(changed)",
            ])
        print(
            "loaded \(programme.id) as version \(version)\(changed ? "" : " (unchanged: already the current version)"): "
                + "\(programme.pools.count) pools (\(programme.pools.map(\.id).joined(separator: ", ")))")
    }
}

/// What `open` and `reset` act on: pools, one window each, and the quota.
struct WindowTarget: ParsableArguments {
    @OptionGroup var connection: Connection
    @Argument(help: "Pool id, or 'all'.") var pool: String
    @Option(help: "Window id: a date for daily pools, a period id for period pools (default: the current or next one).")
    var window: String?
    @Option(
        parsing: .unconditional,  // so `--quota -5` reaches the range check instead of "missing value"
        help:
            "open: release this quota instead of the seed's stock_per_release. reset: restock to this quota instead of the window's stored one."
    )
    var quota: Int?
    @OptionGroup var operation: OperationOption

    func validate() throws {
        if let quota, quota < 0 || quota > 1_000_000_000 { throw ValidationError("--quota must be 0...1000000000") }
    }

    /// Calls `body` for each chosen pool segment (each pool, when not split) with its window, its
    /// share of `--quota` (nil without one) and its step of the action's operation id, on one
    /// Redis connection.
    func forEach(
        _ command: String,
        _ body: (PoolSegment, ReleaseWindow, Int?, OperationID, any RedisCommands, Instant, Programme) throws -> Void
    ) throws {
        let programme = try connection.programme()
        let now = try connection.instant(programme)
        let client = try connection.client()
        try checkShapes(programme, client: client, now: now)
        let pools = pool == "all" ? programme.pools : [try lookup(pool, programme)]
        let action = operation.resolve()
        var step = 0
        try OperationOption.reportingUnknown(action, command) {
            for p in pools {
                let w = try window(of: p, programme: programme, now: now)
                for segment in p.segments {
                    try body(
                        segment, w, quota.map { segment.share(of: $0) }, action.step(step), client, now, programme)
                    step += 1
                }
            }
        }
    }

    private func window(of pool: Pool, programme: Programme, now: Instant) throws -> ReleaseWindow {
        if let window {
            guard let w = pool.schedule.window(id: window, in: programme.calendar) else {
                throw SetupError("\(pool.id) has no window \(window)")
            }
            return w
        }
        switch programme.position(of: pool, at: now) {
        case .open(let w), .upcoming(let w): return w
        case .ended: throw SetupError("\(pool.id): every window has closed; name one with --window")
        }
    }
}

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Release a window's stock (the current or next one by default). Idempotent.")
    @OptionGroup var target: WindowTarget

    func run() throws {
        var unchanged: [String] = []
        try target.forEach("open") { segment, w, asked, operation, client, now, programme in
            let id = segment.storageID
            let quota = asked ?? segment.share(of: segment.pool.stockPerRelease)
            let s = try WindowScripts.open(client, pool: id, window: w.id, quota: quota, now: now, operation: operation)
            operatorLog.info(
                "operator action",
                metadata: [
                    "action": "open", "pool": "\(id)", "window": "\(w.id)", "released": "\(s.released)",
                    "changed": "\(s.changed)", "operation": "\(operation)",
                ])
            // Asked for a quota the released window does not have: the operator expected a change.
            if let asked, !s.changed, s.quota != asked {
                unchanged.append(id)
                print(
                    "\(id) \(w.id): already released with quota \(s.quota.map(String.init) ?? "?") (released "
                        + "\(s.released), left \(s.left)); --quota \(asked) changed nothing: use reset --quota to restock"
                )
                return
            }
            print(
                "\(id) \(w.id): \(s.changed ? "released" : "already released") \(s.released), left \(s.left), "
                    + "opens \(programme.calendar.iso8601(w.opensAt))")
        }
        if !unchanged.isEmpty { throw ExitCode.failure }
    }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a released window's stock back to its quota. Idempotent; never takes back a voucher.")
    @OptionGroup var target: WindowTarget

    func run() throws {
        try target.forEach("reset") { segment, w, quota, operation, client, now, _ in
            let id = segment.storageID
            let result = try WindowScripts.reset(
                client, pool: id, window: w.id, quota: quota, now: now, operation: operation)
            operatorLog.info(
                "operator action",
                metadata: [
                    "action": "reset", "pool": "\(id)", "window": "\(w.id)",
                    "quota": "\(result?.quota.map(String.init) ?? quota.map(String.init) ?? "stored")",
                    "released": "\(result?.released ?? 0)", "changed": "\(result?.changed ?? false)",
                    "operation": "\(operation)",
                ])
            guard let s = result else {
                print("\(id) \(w.id): not released yet (use open)")
                return
            }
            print(
                "\(id) \(w.id): \(s.changed ? "reset" : "unchanged"): released \(s.released), granted \(s.granted), "
                    + "left \(s.left), quota \(s.quota.map(String.init) ?? "?")\(quota == nil ? " (the window's own)" : "")"
            )
        }
    }
}

/// Refuses a seed that changes the shape of a live window (`PoolShapes`); records it otherwise.
func checkShapes(_ programme: Programme, client: any RedisCommands, now: Instant) throws {
    let conflicts = try PoolShapes(client: client).reconcile(programme, now: now)
    guard conflicts.isEmpty else {
        throw SetupError("a live window's shape changes: " + conflicts.map(\.description).joined(separator: "; "))
    }
}

func lookup(_ id: String, _ programme: Programme) throws -> Pool {
    guard let p = programme.pool(id: id) else {
        throw SetupError("no pool \(id); pools: \(programme.pools.map(\.id).joined(separator: ", "))")
    }
    return p
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint a resident token as the identity provider would (for demos and tests).")
    @Option(help: "Person id.") var person: String
    @Option(help: "Region code where the person is located.") var region = "210100"
    @Flag(inversion: .prefixedNo, help: "Real-name verified.") var realName = true
    @Option(help: "Bound card prefix.") var card = "62"
    @Option(help: "individual or enterprise.") var account = "individual"
    @Option(help: "Lifetime in seconds.") var ttl = 3600
    @Option(help: "Mint this many, one per line, for <person>0 ... <person>N-1 (load tests).") var count: Int?
    @OptionGroup var keys: SigningKeyOptions

    func run() throws {
        guard Identifier.isValid(person) else { throw SetupError("--person must be 1-64 characters of [A-Za-z0-9_.-]") }
        guard let kind = AccountKind(rawValue: account) else { throw SetupError("--account: individual or enterprise") }
        let signer = try keys.signing().signer()
        let expires = SystemClock().now().adding(milliseconds: Int64(ttl) * 1000)
        let facts = EligibilityFacts(region: region, realName: realName, cardPrefix: card, account: kind)
        guard let count else {
            print(signer.sign(PersonToken(person: person, facts: facts, expiresAt: expires)))
            return
        }
        guard (1...10_000_000).contains(count), Identifier.isValid(person + String(count)) else {
            throw SetupError("--count must be 1...10000000 and fit the person id")
        }
        var out = ""
        out.reserveCapacity(min(count, 100_000) * 240)
        for i in 0..<count {
            out += signer.sign(PersonToken(person: person + String(i), facts: facts, expiresAt: expires))
            out += "\n"
            if out.utf8.count > 1 << 22 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

import ArgumentParser
import ClaimPOSIX
import ClaimRedis
import ClaimSetup
import Foundation

/// `claimctl stats`: released, granted and left per pool and window, as a table for people or
/// (`--json`) an array for scripts; `--watch` redraws it with grants per second.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Released, granted and left per pool and window; --watch for a live table with grants per second.")
    @Option(help: ArgumentHelp(RedisCredentials.urlHelp)) var redis = RedisCredentials.defaultURL
    @Argument(help: "Only this pool.") var pool: String?
    @Flag(help: "Refresh every --interval seconds until Ctrl-C (or --count refreshes).") var watch = false
    @Option(help: "Seconds between refreshes.") var interval = 1.0
    @Option(help: "Stop after this many refreshes (0: until Ctrl-C).") var count = 0
    @Flag(help: "One JSON array per refresh (pool, window, released, granted, left[, granted_per_second]).")
    var json = false

    /// One window of one pool (a split pool's segments each have their own: `<pool>.s<k>`).
    struct Row: Encodable {
        var pool: String
        var window: String?
        var released: Int?
        var granted: Int?
        var left: Int?
        var grantedPerSecond: Double?
        /// A key that cannot be read (of the wrong type), named; the other rows are still read.
        var problem: String?
    }

    func validate() throws {
        guard interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be 0.1...3600") }
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
    }

    func run() throws {
        let store = ProgrammeStore(client: try RedisCredentials.target(redis).connect())
        guard watch else { return print(try render(rows(store, previous: nil, seconds: 0).rows)) }
        let terminal = isatty(STDOUT_FILENO) == 1 && !json
        var previous: [String: Int]?
        let clock = SystemLoopClock()
        var last = clock.nanoseconds()
        var shown = 0
        while count == 0 || shown < count {
            let now = clock.nanoseconds()
            let (rows, granted) = try rows(store, previous: previous, seconds: Double(now - last) / 1e9)
            previous = granted
            last = now
            // On a terminal the table redraws in place; into a file or pipe, one table after another.
            if json {
                print(try render(rows))
            } else {
                print((terminal ? "\u{1B}[H\u{1B}[2J" : "\n") + "\(SystemClock().now())\n" + (try render(rows)))
            }
            fflush(nil)  // every stream: `stdout` itself is not concurrency-safe to name in Swift 6
            shown += 1
            if count == 0 || shown < count { usleep(useconds_t(interval * 1_000_000)) }
        }
    }

    private func render(_ rows: [Row]) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(rows), as: UTF8.self)
        }
        var table: [[String]] = [["pool", "window", "released", "granted", "left"] + (watch ? ["granted/s"] : [])]
        for r in rows {
            if let problem = r.problem {
                table.append(
                    [r.pool, (r.window.map { "\($0): " } ?? "") + "cannot read: \(problem)", "", "", ""]
                        + (watch ? [""] : []))
                continue
            }
            var row = [r.pool, r.window ?? "", r.released.map(String.init) ?? "", r.granted.map(String.init) ?? ""]
            row.append(r.left.map(String.init) ?? "")
            if watch { row.append(r.grantedPerSecond.map { String(format: "%.0f", $0) } ?? "-") }
            table.append(row)
        }
        if rows.isEmpty { table.append(["(no windows released)", "", "", "", ""] + (watch ? [""] : [])) }
        return Table.render(table)
    }

    /// The rows, and granted per pool/window for the next refresh's rate.
    private func rows(_ store: ProgrammeStore, previous: [String: Int]?, seconds: Double) throws -> (
        rows: [Row], granted: [String: Int]
    ) {
        let loaded = try store.pools()
        let pools = loaded.filter { id in pool.map { id == $0 || id.hasPrefix($0 + ".s") } ?? true }
        if let pool, pools.isEmpty {
            throw ValidationError("no pool \(pool) is loaded; loaded: \(loaded.joined(separator: ", "))")
        }
        var rows: [Row] = []
        var granted: [String: Int] = [:]
        for p in pools {
            let windows: [String]
            switch Result(catching: { () throws(RedisError) in try store.windows(pool: p) }) {
            case .success(let ws): windows = ws
            case .failure(.server(let m)):
                rows.append(Row(pool: p, problem: m))
                continue
            case .failure(let e): throw e
            }
            for w in windows {
                let counts: (released: Int, left: Int, granted: Int)?
                switch Result(catching: { () throws(RedisError) in try store.counts(pool: p, window: w) }) {
                case .success(let c): counts = c
                case .failure(.server(let m)):
                    rows.append(Row(pool: p, window: w, problem: m))
                    continue
                case .failure(let e): throw e
                }
                guard let c = counts else { continue }
                granted[p + " " + w] = c.granted
                let rate = previous?[p + " " + w].map { Double(c.granted - $0) / max(seconds, 0.001) }
                rows.append(
                    Row(
                        pool: p, window: w, released: c.released, granted: c.granted, left: c.left,
                        grantedPerSecond: watch ? rate : nil))
            }
        }
        return (rows, granted)
    }
}

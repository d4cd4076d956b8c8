import ClaimCore
import ClaimRedis

/// What the console reads from Redis and does to it, through the same operations claimctl
/// uses (`ProgrammeVersions`, `ProgrammeStore`, `PoolPause`, `WindowScripts`,
/// `ProgrammeAudit`), on one blocking connection opened when first needed and again after a
/// failure. The programme is Redis's current version when one is loaded, else the one served.
/// Runs on the console's own thread; the claim loops never wait on it.
final class ConsoleActions {
    private let target: RedisTarget
    private let served: Programme
    private var client: (any RedisCommands)?

    init(target: RedisTarget, served: Programme) {
        self.target = target
        self.served = served
    }

    /// Runs `body` on the connection; a failure drops it, so the next call reconnects.
    func withClient<T>(_ body: (any RedisCommands) throws -> T) throws -> T {
        let c = try client ?? target.connect()
        client = c
        do { return try body(c) } catch {
            client = nil
            throw error
        }
    }

    func programme() throws -> (programme: Programme, version: Int?) {
        try withClient { c in
            if let loaded = try ProgrammeVersions.currentProgramme(c) { return (loaded.programme, loaded.version) }
            return (served, nil)
        }
    }

    /// One pool's row: its position at `now`, the window's counts summed over segments, its pause.
    struct PoolRow {
        let pool: Pool
        let position: SchedulePosition
        let counts: (released: Int, left: Int, granted: Int)?
        let pausedReason: String?
    }

    func rows(_ programme: Programme, now: Instant) throws -> [PoolRow] {
        try withClient { c in
            let store = ProgrammeStore(client: c)
            return try programme.pools.map { pool in
                let position = programme.position(of: pool, at: now)
                let counts: (released: Int, left: Int, granted: Int)?
                switch position {
                case .open(let w), .upcoming(let w): counts = try Self.sum(store, pool, w.id)
                case .ended: counts = nil
                }
                return PoolRow(
                    pool: pool, position: position, counts: counts, pausedReason: try PoolPause.reason(c, pool: pool))
            }
        }
    }

    private static func sum(_ store: ProgrammeStore, _ pool: Pool, _ window: String) throws -> (Int, Int, Int)? {
        var total: (Int, Int, Int)?
        for segment in pool.segments {
            guard let c = try store.counts(pool: segment.storageID, window: window) else { continue }
            let t = total ?? (0, 0, 0)
            total = (t.0 + c.released, t.1 + c.left, t.2 + c.granted)
        }
        return total
    }

    /// An operator's action on a pool's current (or next) window; what it did, in words.
    enum Action: String {
        case pause, resume, open, reset
    }

    func perform(_ action: Action, pool: Pool, programme: Programme, reason: String, now: Instant) throws -> String {
        try withClient { c in
            switch action {
            case .pause:
                let changed = try PoolPause.pause(c, pool: pool, reason: reason)
                return "\(pool.id): paused (\(reason))\(changed ? "" : ", as it already was")"
            case .resume:
                let changed = try PoolPause.resume(c, pool: pool)
                return "\(pool.id): \(changed ? "resumed" : "was not paused")"
            case .open, .reset:
                let window: ReleaseWindow
                switch programme.position(of: pool, at: now) {
                case .open(let w), .upcoming(let w): window = w
                case .ended: return "\(pool.id): every window has closed"
                }
                var said: [String] = []
                let operation = OperationID()
                for (k, segment) in pool.segments.enumerated() {
                    let step = operation.step(k)
                    if action == .open {
                        let s = try WindowScripts.open(
                            c, pool: segment.storageID, window: window.id,
                            quota: segment.share(of: pool.stockPerRelease), now: now, operation: step)
                        said.append(
                            "\(segment.storageID) \(window.id): \(s.changed ? "released" : "already released") \(s.released), left \(s.left)"
                        )
                    } else {
                        let s = try WindowScripts.reset(
                            c, pool: segment.storageID, window: window.id, quota: nil, now: now, operation: step)
                        said.append(
                            s.map {
                                "\(segment.storageID) \(window.id): \($0.changed ? "reset" : "unchanged"), left \($0.left)"
                            }
                                ?? "\(segment.storageID) \(window.id): not released yet (open it)")
                    }
                }
                return said.joined(separator: "; ")
            }
        }
    }

    func audit() throws -> ProgrammeAudit.Findings { try withClient { c in try ProgrammeAudit(client: c).run() } }
}

import ClaimCore

/// The shape (`PoolShape`) each pool was last served with, kept in Redis under `cg:{P}:shape`
/// (P: the pool's own id, whatever its segments), and the one check that a seed may not change
/// it while one of the pool's windows is released and open. claimgate runs it before it serves
/// a claim and claimctl before `load`, `open` and `reset`, so neither a restarted gateway nor an
/// operator can open a fresh window beside a live one.
public struct PoolShapes {
    public let client: any RedisCommands

    public init(client: any RedisCommands) { self.client = client }

    public static func key(pool: String) -> String { "cg:{\(pool)}:shape" }

    /// A pool whose seed changes the shape of a live window.
    public struct Conflict: Hashable, Sendable, CustomStringConvertible {
        public let pool: String
        public let window: String
        public let changes: [String]
        public let closesAt: String

        public var description: String {
            "\(pool): window \(window) is released and open until \(closesAt); this seed changes "
                + "\(changes.joined(separator: ", ")), which would let people claim again beside what they hold. "
                + "Use the seed the window was released with, or load this one after the window closes"
        }
    }

    /// Checks every pool of `programme` against the shape it was last served with, at `now`.
    /// Where nothing conflicts the programme's shape is recorded (the first time, or a change
    /// between windows); a conflict is returned and its pool's record left as it was.
    public func reconcile(_ programme: Programme, now: Instant) throws(RedisError) -> [Conflict] {
        var conflicts: [Conflict] = []
        // The loaded storage ids, read once and only if some pool has no record yet.
        var loaded: [String]?
        for pool in programme.pools {
            let shape = PoolShape(pool)
            let key = Self.key(pool: pool.id)
            let stored = try client.command(["GET", key]).orThrow().text.flatMap(PoolShape.init(encoded:))
            if let stored, stored != shape,
                let live = try liveWindow(of: pool, in: stored.storageIDs(pool: pool.id), programme, now)
            {
                conflicts.append(
                    Conflict(
                        pool: pool.id, window: live.id, changes: shape.changes(from: stored),
                        closesAt: programme.calendar.iso8601(live.closesAt)))
                continue
            }
            // Never recorded (a window released before shapes were kept): a live window under
            // storage ids this shape does not use is a change of segments all the same.
            if stored == nil,
                let (live, old) = try unrecordedLiveWindow(of: pool, shape, programme, now, loaded: &loaded)
            {
                conflicts.append(
                    Conflict(
                        pool: pool.id, window: live.id, changes: ["segments (released as \(old)) -> \(shape.segments)"],
                        closesAt: programme.calendar.iso8601(live.closesAt)))
                continue
            }
            // A fixed value: writing it twice changes nothing, so a lost reply may be resent.
            if stored != shape { _ = try client.command(["SET", key, shape.encoded], resend: .safe).orThrow() }
        }
        return conflicts
    }

    /// The pool's window open at `now`, if it is released under any of `storageIDs`.
    private func liveWindow(of pool: Pool, in storageIDs: [String], _ programme: Programme, _ now: Instant)
        throws(RedisError) -> ReleaseWindow?
    {
        guard case .open(let w) = programme.position(of: pool, at: now) else { return nil }
        for id in storageIDs {
            if try client.command(["EXISTS", PoolKeys(pool: id).window(w.id)]).orThrow().integer == 1 { return w }
        }
        return nil
    }

    /// Without a record: the pool's live window released under the pool's own id or a loaded
    /// segment id (`cg:pools`) that `shape` does not use, with the ids it was found under.
    private func unrecordedLiveWindow(
        of pool: Pool, _ shape: PoolShape, _ programme: Programme, _ now: Instant, loaded: inout [String]?
    ) throws(RedisError) -> (ReleaseWindow, String)? {
        let used = Set(shape.storageIDs(pool: pool.id))
        let ids: [String]
        if let known = loaded { ids = known } else { ids = try ProgrammeStore(client: client).pools() }
        loaded = ids
        let others = ([pool.id] + ids.filter { $0.hasPrefix(pool.id + ".s") }).filter { !used.contains($0) }
        guard !others.isEmpty, let live = try liveWindow(of: pool, in: others, programme, now) else { return nil }
        return (live, others.count == 1 && others[0] == pool.id ? "1" : "segments \(others.joined(separator: ","))")
    }
}

import ArgumentParser
import ClaimCore
import ClaimRedis
import ClaimSetup

/// `claimctl rebalance POOL`: evens out a split pool's leftover stock across its segments, so
/// people hashed to an emptied segment are not told `sold_out` while stock remains elsewhere.
struct Rebalance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a split pool's leftover stock between its segments (never over-releasing).")
    @OptionGroup var connection: Connection
    @Argument(help: "Pool id (a pool with segments).") var pool: String
    @Option(help: "Window id (default: the current one).") var window: String?

    func run() throws {
        let programme = try connection.programme()
        let now = try connection.instant(programme)
        let p = try lookup(pool, programme)
        guard p.segmentCount > 1 else { throw SetupError("\(p.id) is not split into segments") }
        let windowID: String
        if let window {
            windowID = window
        } else if case .open(let w) = programme.position(of: p, at: now) {
            windowID = w.id
        } else {
            throw SetupError("\(p.id) has no open window; name one with --window")
        }
        let client = try connection.client()
        let store = ProgrammeStore(client: client)
        var left: [Int] = []
        for s in p.segments {
            guard let c = try store.counts(pool: s.storageID, window: windowID) else {
                throw SetupError("\(s.storageID) \(windowID) is not released")
            }
            left.append(c.left)
        }
        // Each move carries a step of one fresh id, so the client may resend it after a lost
        // reply. No --operation-id to rerun it: a rerun plans again from what the segments hold
        // then, and a replayed step of the first plan could give more than the new plan took.
        let plan = SegmentRebalance(left: left)
        let action = OperationID()
        var taken = 0
        let moved = Result { () throws(RedisError) in
            for (i, amount) in plan.takes {
                let id = p.segments[i].storageID
                if let m = try WindowScripts.move(
                    client, pool: id, window: windowID, change: -amount, now: now, operation: action.step(i))
                {
                    taken -= m.applied
                }
            }
            for (i, amount) in plan.gives(taken: taken) {
                _ = try WindowScripts.move(
                    client, pool: p.segments[i].storageID, window: windowID, change: amount, now: now,
                    operation: action.step(p.segmentCount + i))
            }
        }
        switch moved {
        case .success: break
        case .failure(.outcomeUnknown(let why)):
            throw SetupError(
                "redis outcome unknown (the command was sent; no reply): \(why)\nThe rebalance stopped with stock "
                    + "taken and perhaps not given: it stays unreleased, never released twice. Check with claimctl "
                    + "stats; rebalance again to even out what is left.")
        case .failure(let error): throw error
        }
        var after: [Int] = []
        for s in p.segments { after.append(try store.counts(pool: s.storageID, window: windowID)?.left ?? 0) }
        operatorLog.info(
            "operator action",
            metadata: [
                "action": "rebalance", "pool": "\(p.id)", "window": "\(windowID)", "moved": "\(taken)",
                "left_before": "\(left)", "left_after": "\(after)", "operation": "\(action)",
            ])
        print("\(p.id) \(windowID): moved \(taken); left per segment \(left) -> \(after)")
    }
}

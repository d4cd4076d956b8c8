import ArgumentParser
import ClaimCore
import ClaimRedis

/// `claimctl pause POOL [--reason TEXT]`: residents get `409 paused` with the reason until
/// `resume`; before, during or between windows; the books are untouched; idempotent.
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause a pool's claims (every gateway at once; retries still get their grant). Idempotent.")
    @OptionGroup var connection: Connection
    @Argument(help: "Pool id.") var pool: String
    @Option(help: "Why, as residents are told it.") var reason = "paused by the programme's operators"

    func validate() throws {
        guard !reason.isEmpty, reason.utf8.count <= 200 else { throw ValidationError("--reason must be 1-200 bytes") }
    }

    func run() throws {
        let programme = try connection.programme()
        let p = try lookup(pool, programme)
        let changed = try PoolPause.pause(try connection.client(), pool: p, reason: reason)
        operatorLog.info(
            "operator action",
            metadata: ["action": "pause", "pool": "\(p.id)", "reason": "\(reason)", "changed": "\(changed)"])
        print("\(p.id): paused (\(reason))\(changed ? "" : ", as it already was")")
    }
}

/// `claimctl resume POOL`: claims are taken again; idempotent.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused pool's claims. Idempotent.")
    @OptionGroup var connection: Connection
    @Argument(help: "Pool id.") var pool: String

    func run() throws {
        let programme = try connection.programme()
        let p = try lookup(pool, programme)
        let changed = try PoolPause.resume(try connection.client(), pool: p)
        operatorLog.info("operator action", metadata: ["action": "resume", "pool": "\(p.id)", "changed": "\(changed)"])
        print("\(p.id): \(changed ? "resumed" : "was not paused")")
    }
}

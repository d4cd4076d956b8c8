import ClaimCore

/// Opening, resetting and rebalancing windows through `open.lua`, `reset.lua` and
/// `move.lua`, for operators. Each call carries an operation id (a fresh one unless given), so
/// the client may resend it after a lost reply: a second run answers the first's reply.
public enum WindowScripts {
    /// What a window holds after an operator action.
    public struct State: Hashable, Sendable {
        /// True when this call released the stock (false: it was already released).
        public var changed: Bool
        public var released: Int
        public var left: Int
        public var granted: Int
        /// The quota the window was released (or last reset) with, where the script says.
        public var quota: Int?
    }

    /// Releases `quota` for the window unless it was released before (idempotent).
    public static func open(
        _ client: any RedisCommands, pool: String, window: String, quota: Int, now: Instant,
        operation: OperationID = OperationID()
    ) throws(RedisError) -> State {
        let k = PoolKeys(pool: pool)
        let reply = try client.run(
            .open, keys: [k.window(window), k.windows, k.operations],
            args: [window, String(quota), String(now.unixMilliseconds), operation.description], resend: .safe)
        // Four items: a reply recorded under an operation id before the quota was added.
        guard let a = reply.array, a.count == 4 || a.count == 5, let opened = a[0].integer,
            let released = a[1].integer, let left = a[2].integer, let granted = a[3].integer
        else { throw .unexpectedReply("open: \(reply)") }
        let quota = a.count == 5 ? a[4].integer.flatMap { $0 >= 0 ? Int($0) : nil } : nil
        return State(
            changed: opened == 1, released: Int(released), left: Int(left), granted: Int(granted), quota: quota)
    }

    /// Puts the window's stock back to `quota` (nil: the quota stored with the window, which
    /// a seed edited since does not change); nil when the window was never opened.
    public static func reset(
        _ client: any RedisCommands, pool: String, window: String, quota: Int?, now: Instant,
        operation: OperationID = OperationID()
    ) throws(RedisError) -> State? {
        let k = PoolKeys(pool: pool)
        let reply = try client.run(
            .reset, keys: [k.window(window), k.operations],
            args: [quota.map(String.init) ?? "", String(now.unixMilliseconds), operation.description], resend: .safe)
        return try change(reply, of: "reset")?.state
    }

    /// Moves `change` of a window's leftover stock out of (negative) or into (positive) one
    /// segment; a take is capped at what is left. Nil when the window was never opened.
    public static func move(
        _ client: any RedisCommands, pool: String, window: String, change: Int, now: Instant,
        operation: OperationID = OperationID()
    ) throws(RedisError) -> (applied: Int, state: State)? {
        let k = PoolKeys(pool: pool)
        let reply = try client.run(
            .move, keys: [k.window(window), k.operations],
            args: [String(change), String(now.unixMilliseconds), operation.description], resend: .safe)
        return try self.change(reply, of: "move")
    }

    /// Reads the reply `reset.lua` and `move.lua` share: `{status, change, released, left,
    /// granted}` (reset adds the quota), or `{'not_open'}` (nil).
    private static func change(_ reply: RedisReply, of script: String) throws(RedisError) -> (
        applied: Int, state: State
    )? {
        guard let a = reply.array, let status = a.first?.text else { throw .unexpectedReply("\(script): \(reply)") }
        if status == "not_open" { return nil }
        guard a.count == 5 || a.count == 6, let applied = a[1].integer, let released = a[2].integer,
            let left = a[3].integer, let granted = a[4].integer
        else { throw .unexpectedReply("\(script): \(reply)") }
        let quota = a.count == 6 ? a[5].integer.map { Int($0) } : nil
        return (
            Int(applied),
            State(
                changed: applied != 0, released: Int(released), left: Int(left), granted: Int(granted), quota: quota)
        )
    }
}

import ClaimCore

/// An operator's pause of a pool's claims: the reason, kept under `PoolKeys.pause` in each
/// segment's own slot, where claim.lua reads it inside the same atomic call that would grant.
/// So every gateway honours a pause at once and no claim in flight slips past it; retries are
/// still answered with their earlier grant, and nothing in the books changes. Both directions
/// write a fixed value, so running them twice (or resending after a lost reply) is harmless.
public enum PoolPause {
    /// Pauses every segment of `pool`; true if any was not paused with this reason before.
    @discardableResult
    public static func pause(_ client: any RedisCommands, pool: Pool, reason: String) throws(RedisError) -> Bool {
        var changed = false
        for segment in pool.segments {
            let key = PoolKeys(pool: segment.storageID).pause
            if try client.command(["GET", key]).orThrow().text != reason { changed = true }
            _ = try client.command(["SET", key, reason], resend: .safe).orThrow()
        }
        return changed
    }

    /// Lifts the pause of every segment; true if any was paused.
    @discardableResult
    public static func resume(_ client: any RedisCommands, pool: Pool) throws(RedisError) -> Bool {
        var changed = false
        for segment in pool.segments {
            let n = try client.command(["DEL", PoolKeys(pool: segment.storageID).pause], resend: .safe).orThrow()
            if n.integer == 1 { changed = true }
        }
        return changed
    }

    /// Why the pool is paused, nil if it is not (the first segment's reason).
    public static func reason(_ client: any RedisCommands, pool: Pool) throws(RedisError) -> String? {
        for segment in pool.segments {
            if let r = try client.command(["GET", PoolKeys(pool: segment.storageID).pause]).orThrow().text { return r }
        }
        return nil
    }
}

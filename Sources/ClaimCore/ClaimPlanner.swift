/// Decides what the gateway can answer without Redis (eligibility, schedule) and otherwise
/// builds the request for the claim script. Pure: the clock reading is passed in.
public struct ClaimPlanner: Sendable {
    public let programme: Programme

    public init(programme: Programme) { self.programme = programme }

    /// What to do with a claim.
    public enum Plan: Hashable, Sendable {
        /// Answer now; no Redis round trip.
        case answer(ClaimOutcome)
        /// Run the claim script.
        case run(ClaimRequest)
    }

    /// Plans a claim by `person` (with verified `facts`) on `pool` at `now`.
    public func plan(
        pool: Pool, person: String, facts: EligibilityFacts, idempotencyKey: String?, now: Instant
    ) -> Plan {
        if let reason = pool.eligibility.refusal(for: facts) { return .answer(.notEligible(reason)) }
        // The buyer list is not stored yet (the housing-fair issue adds it): until then nobody
        // is on it, so the grant can never be handed to someone who is not entitled to it.
        if pool.eligibility.requiresBuyerList { return .answer(.notEligible(.notOnBuyerList)) }
        switch programme.position(of: pool, at: now) {
        case .ended: return .answer(.closed)
        case .upcoming(let w): return .answer(.notOpen(opensAt: w.opensAt))
        case .open(let w):
            return .run(
                ClaimRequest(
                    pool: pool, window: w, person: person, claimedAt: now,
                    expiresAt: pool.validity.expiry(claimedAt: now, in: programme.calendar),
                    idempotencyKey: idempotencyKey))
        }
    }
}

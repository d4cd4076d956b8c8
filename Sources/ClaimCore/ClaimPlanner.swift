/// Decides what the gateway can answer without Redis (eligibility, store QR, schedule) and
/// otherwise builds the request for the claim script. Pure: the clock reading is passed in.
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

    /// Plans a claim by `person` (with verified `facts`) on `pool` at `now`. The buyer list
    /// (housing-fair grant) is checked by the script, where it is stored.
    public func plan(
        pool: Pool, person: String, facts: EligibilityFacts, idempotencyKey: String?, now: Instant,
        store: StoreVisit = .none
    ) -> Plan {
        plan(
            pool: pool, person: person, facts: facts, idempotencyKey: idempotencyKey, now: now, store: store,
            schedule: programme.position(of: pool, at: now))
    }

    /// The same, where the caller has read `pool`'s schedule at `now` already (`schedule`): the
    /// gateway reads it once per window, not per claim.
    public func plan(
        pool: Pool, person: String, facts: EligibilityFacts, idempotencyKey: String?, now: Instant,
        store: StoreVisit, schedule: SchedulePosition
    ) -> Plan {
        if let reason = pool.eligibility.refusal(for: facts) { return .answer(.notEligible(reason)) }
        var storeID: String?
        if pool.requiresStoreQR {
            switch store {
            case .none: return .answer(.notEligible(.storeQRRequired))
            case .invalid: return .answer(.notEligible(.storeQRInvalid))
            case .scanned(let id, let day):
                guard programme.stores.contains(id) else { return .answer(.notEligible(.unknownStore)) }
                guard day == programme.calendar.date(of: now) else { return .answer(.notEligible(.storeQROtherDay)) }
                storeID = id
            }
        }
        guard case .open(let w) = schedule else {
            // `outcome(noWindowOpen:)` answers every position but `.open`.
            return .answer(Self.outcome(noWindowOpen: schedule) ?? .closed)
        }
        return .run(
            ClaimRequest(
                pool: pool, window: w, person: person, claimedAt: now,
                expiresAt: pool.validity.expiry(claimedAt: now, in: programme.calendar),
                idempotencyKey: idempotencyKey, store: storeID))
    }

    /// The answer to a claim on a pool with no window open at `schedule` (`not_open` with the
    /// next opening, or `closed`); nil when one is open.
    public static func outcome(noWindowOpen schedule: SchedulePosition) -> ClaimOutcome? {
        switch schedule {
        case .open: nil
        case .upcoming(let w): .notOpen(opensAt: w.opensAt)
        case .ended: .closed
        }
    }
}

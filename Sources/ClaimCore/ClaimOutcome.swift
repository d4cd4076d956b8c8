/// Every answer a claim can get. The cheap refusals (`soldOut`, `limitReached`) are the common
/// case at peak.
public enum ClaimOutcome: Hashable, Sendable {
    /// Vouchers were granted (one, or a whole bundle); `left` is the window's stock after this
    /// grant. `replayed` is true when an `Idempotency-Key` retry returned the first grant.
    case granted([Voucher], left: Int, replayed: Bool)
    case soldOut
    case limitReached
    /// The window is not open yet (or not released by an operator); `opensAt` when known.
    case notOpen(opensAt: Instant?)
    /// The pool's last window has closed.
    case closed
    case notEligible(NotEligibleReason)
    /// An operator paused the pool (`claimctl pause`), with the reason they gave.
    case paused(reason: String)
}

/// What a claim says about the store it was made in (appliance vouchers are claimed by
/// scanning the store's QR code). The QR token's signature is checked by the caller; this
/// carries the result to the planner.
public enum StoreVisit: Hashable, Sendable {
    /// No QR token came with the claim.
    case none
    /// A token came, but it is forged, malformed or for something else.
    case invalid
    /// A genuine QR token of `store` for `day`.
    case scanned(store: String, day: CivilDate)
}

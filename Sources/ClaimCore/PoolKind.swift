/// The four kinds of voucher in the programme.
public enum PoolKind: String, Hashable, Sendable, CaseIterable {
    case comprehensive
    case appliance
    case specialty
    case housingGrant = "housing_grant"
}

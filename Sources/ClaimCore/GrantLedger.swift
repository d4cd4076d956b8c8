/// What a client (the load generator) saw granted: every 201 it received. Checked on its own
/// and against Redis's record, so an oversell or a lost voucher shows from both sides.
public struct GrantLedger: Codable, Sendable {
    public private(set) var grantsByPerson: [String: Int] = [:]
    public private(set) var voucherOwners: [String: String] = [:]
    /// Voucher ids answered twice with a fresh 201 (never acceptable).
    public private(set) var duplicateIDs: [String] = []

    public init() {}

    public var granted: Int { voucherOwners.count }

    /// Records a fresh grant (not an idempotent replay).
    public mutating func record(voucher id: String, person: String) {
        if voucherOwners[id] != nil {
            duplicateIDs.append(id)
            return
        }
        voucherOwners[id] = person
        grantsByPerson[person, default: 0] += 1
    }

    /// Another client's ledger of the same pool (a worker of a distributed run) added to this
    /// one: a voucher both were granted is a duplicate, as within one client.
    public mutating func merge(_ other: GrantLedger) {
        duplicateIDs += other.duplicateIDs
        for (id, person) in other.voucherOwners.sorted(by: { $0.key < $1.key }) { record(voucher: id, person: person) }
    }

    /// The client-side checks: ids unique, nobody over `limit`, no more than `released`.
    public func problems(limit: Int, released: Int) -> [String] {
        var out: [String] = []
        if !duplicateIDs.isEmpty {
            out.append("\(duplicateIDs.count) voucher ids granted twice, e.g. \(duplicateIDs[0])")
        }
        let over = grantsByPerson.filter { $0.value > limit }
        if let (p, n) = over.min(by: { $0.key < $1.key }) {
            out.append("\(over.count) people over the limit of \(limit), e.g. \(p) with \(n)")
        }
        if granted > released { out.append("oversold: \(granted) granted > \(released) released") }
        return out
    }

    /// Every voucher this client was granted must be in Redis, owned by the same person.
    public func problems(againstStore owners: [String: String]) -> [String] {
        var missing = 0, wrongOwner = 0
        var example = ""
        for (id, person) in voucherOwners {
            guard let stored = owners[id] else {
                missing += 1
                if example.isEmpty { example = id }
                continue
            }
            if stored != person {
                wrongOwner += 1
                if example.isEmpty { example = id }
            }
        }
        var out: [String] = []
        if missing > 0 { out.append("\(missing) acknowledged vouchers missing from Redis, e.g. \(example)") }
        if wrongOwner > 0 { out.append("\(wrongOwner) vouchers owned by someone else in Redis, e.g. \(example)") }
        return out
    }
}

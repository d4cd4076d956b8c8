/// What Redis holds for one pool window, as read by `claimctl audit`.
public struct WindowSnapshot: Sendable {
    public var pool: String
    public var window: String
    public var released: Int
    public var left: Int
    public var granted: Int
    public var limitPerWindow: Int
    /// Person -> claims counted for this window.
    public var claimsByPerson: [String: Int]
    /// Voucher id -> owner, for the vouchers of this window.
    public var voucherOwners: [String: String]
    /// Vouchers one grant hands out (a bundle's size).
    public var vouchersPerGrant: Int

    public init(
        pool: String, window: String, released: Int, left: Int, granted: Int, limitPerWindow: Int,
        claimsByPerson: [String: Int], voucherOwners: [String: String], vouchersPerGrant: Int = 1
    ) {
        self.pool = pool
        self.window = window
        self.released = released
        self.left = left
        self.granted = granted
        self.limitPerWindow = limitPerWindow
        self.claimsByPerson = claimsByPerson
        self.voucherOwners = voucherOwners
        self.vouchersPerGrant = vouchersPerGrant
    }
}

/// The invariants every window must keep, checked over a snapshot. Pure, so each rule is
/// unit-tested without Redis.
public enum AuditReport {
    /// Every broken invariant of `w`, in words an operator can act on; empty when clean.
    public static func problems(in w: WindowSnapshot) -> [String] {
        var out: [String] = []
        let at = "\(w.pool) \(w.window)"
        if w.granted + w.left != w.released {
            out.append("\(at): granted \(w.granted) + left \(w.left) != released \(w.released)")
        }
        if w.left < 0 { out.append("\(at): left is negative (\(w.left))") }
        let perGrant = max(1, w.vouchersPerGrant)
        if w.voucherOwners.count != w.granted * perGrant {
            out.append("\(at): \(w.voucherOwners.count) voucher records for \(w.granted) granted x \(perGrant)")
        }
        var owned: [String: Int] = [:]
        for (id, owner) in w.voucherOwners {
            if owner.isEmpty { out.append("\(at): voucher \(id) has no owner") }
            owned[owner, default: 0] += 1
        }
        for (person, n) in w.claimsByPerson.sorted(by: { $0.key < $1.key }) {
            if n > w.limitPerWindow { out.append("\(at): \(person) claimed \(n), limit \(w.limitPerWindow)") }
            if owned[person, default: 0] != n * perGrant {
                out.append("\(at): \(person) counted \(n) claims but owns \(owned[person, default: 0]) vouchers")
            }
        }
        for (person, n) in owned.sorted(by: { $0.key < $1.key }) where w.claimsByPerson[person] == nil {
            out.append("\(at): \(person) owns \(n) vouchers with no claim counted")
        }
        return out
    }

    /// Every broken redemption invariant of one pool: each redeemed voucher exists, each
    /// person's use count equals the vouchers of theirs that are redeemed, and stays within
    /// the programme's use limit.
    public static func problems(in r: RedemptionSnapshot) -> [String] {
        var out: [String] = []
        var usedByOwner: [String: Int] = [:]
        for id in r.redeemed.sorted() {
            guard let owner = r.voucherOwners[id] else {
                out.append("\(r.pool): redeemed voucher \(id) does not exist")
                continue
            }
            usedByOwner[owner, default: 0] += 1
        }
        for person in Set(usedByOwner.keys).union(r.useCounts.keys).sorted() {
            let counted = r.useCounts[person, default: 0]
            let actual = usedByOwner[person, default: 0]
            if counted != actual {
                out.append("\(r.pool): \(person) use count \(counted) but \(actual) vouchers redeemed")
            }
            if let limit = r.useLimit, actual > limit {
                out.append("\(r.pool): \(person) redeemed \(actual), programme limit \(limit)")
            }
        }
        return out
    }
}

/// What Redis holds about one pool's redemptions.
public struct RedemptionSnapshot: Sendable {
    public var pool: String
    public var useLimit: Int?
    /// Every voucher of the pool -> owner.
    public var voucherOwners: [String: String]
    /// Ids of vouchers marked used.
    public var redeemed: Set<String>
    /// Person -> use count kept by the redeem script.
    public var useCounts: [String: Int]

    public init(
        pool: String, useLimit: Int?, voucherOwners: [String: String], redeemed: Set<String>, useCounts: [String: Int]
    ) {
        self.pool = pool
        self.useLimit = useLimit
        self.voucherOwners = voucherOwners
        self.redeemed = redeemed
        self.useCounts = useCounts
    }
}

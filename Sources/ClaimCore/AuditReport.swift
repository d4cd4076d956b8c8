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

    public init(
        pool: String, window: String, released: Int, left: Int, granted: Int, limitPerWindow: Int,
        claimsByPerson: [String: Int], voucherOwners: [String: String]
    ) {
        self.pool = pool
        self.window = window
        self.released = released
        self.left = left
        self.granted = granted
        self.limitPerWindow = limitPerWindow
        self.claimsByPerson = claimsByPerson
        self.voucherOwners = voucherOwners
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
        if w.voucherOwners.count != w.granted {
            out.append("\(at): \(w.voucherOwners.count) voucher records for \(w.granted) granted")
        }
        var owned: [String: Int] = [:]
        for (id, owner) in w.voucherOwners {
            if owner.isEmpty { out.append("\(at): voucher \(id) has no owner") }
            owned[owner, default: 0] += 1
        }
        for (person, n) in w.claimsByPerson.sorted(by: { $0.key < $1.key }) {
            if n > w.limitPerWindow { out.append("\(at): \(person) claimed \(n), limit \(w.limitPerWindow)") }
            if owned[person, default: 0] != n {
                out.append("\(at): \(person) counted \(n) claims but owns \(owned[person, default: 0]) vouchers")
            }
        }
        for (person, n) in owned.sorted(by: { $0.key < $1.key }) where w.claimsByPerson[person] == nil {
            out.append("\(at): \(person) owns \(n) vouchers with no claim counted")
        }
        return out
    }
}

import ClaimCore

/// Redis key names. Every key of a pool carries the pool's hash tag `{pool}`, so each script
/// touches one slot and a Redis Cluster can hold the programme without a redesign.
public struct PoolKeys: Hashable, Sendable {
    public let pool: String

    public init(pool: String) { self.pool = pool }

    private var prefix: String { "cg:{\(pool)}" }

    /// Hash: released, left, granted, quota, opened_at.
    public func window(_ w: String) -> String { "\(prefix):w:\(w)" }
    /// Hash: person -> claims counted in the window.
    public func people(_ w: String) -> String { "\(prefix):w:\(w):people" }
    /// Hash: person|idempotency-key -> voucher id.
    public func replays(_ w: String) -> String { "\(prefix):w:\(w):idem" }
    /// Hash: voucher id -> record (`VoucherRecord`).
    public var vouchers: String { "\(prefix):vouchers" }
    /// Hash: person -> space-separated voucher ids.
    public var wallet: String { "\(prefix):wallet" }
    /// Set of people entitled to the pool (the housing-fair buyer list).
    public var buyers: String { "\(prefix):buyers" }
    /// Hash: voucher id -> merchant|order|amount|at_ms, for used vouchers.
    public var redeemed: String { "\(prefix):redeemed" }
    /// Hash: person -> vouchers of this pool redeemed over the whole programme.
    public var used: String { "\(prefix):used" }
    /// Hash: merchant|order -> voucher|discount|due|state.
    public var orders: String { "\(prefix):orders" }
    /// String: a single-use payment code's record (`paycode.lua`), expiring by itself.
    public func paymentCode(_ code: PaymentCode) -> String { "\(prefix):pay:\(code.text)" }
    /// Set of window ids ever opened.
    public var windows: String { "\(prefix):windows" }
    /// Hash: operator action id -> the reply its script gave (`OperationID`).
    public var operations: String { "\(prefix):ops" }
    /// String: why claims are paused (`claimctl pause`); absent when they are not.
    public var pause: String { "\(prefix):pause" }
    /// Hash: the pool's settings as loaded by `claimctl load`.
    public var meta: String { "\(prefix):meta" }

    /// Set of every loaded pool id. Not hash-tagged: only operators read it.
    public static let poolIndex = "cg:pools"

    /// The channel reset.lua and move.lua publish a restocked window's key on.
    public static let restockChannel = "cg:restock"

    /// The pool (storage id) and window of a window key (`window(_:)`), nil for anything else.
    public static func parseWindow(_ key: String) -> (pool: String, window: String)? {
        guard key.hasPrefix("cg:{"), let close = key.firstIndex(of: "}") else { return nil }
        let pool = key[key.index(key.startIndex, offsetBy: 4)..<close]
        let rest = key[key.index(after: close)...]
        guard !pool.isEmpty, rest.hasPrefix(":w:"), rest.count > 3 else { return nil }
        let window = rest.dropFirst(3)
        guard !window.contains(":") else { return nil }
        return (String(pool), String(window))
    }
}

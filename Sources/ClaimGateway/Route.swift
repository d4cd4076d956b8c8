import ClaimCore
import ClaimHTTP
import Glibc

/// What a request asks for, decided from its method and path alone.
public enum Route: Hashable, Sendable {
    case health
    case metrics
    case pools
    case claim(pool: PoolRef)
    case progress(pool: PoolRef)
    case wallet
    case paymentCode
    case redeem
    case reverse(order: String)
    case notFound
    /// The path exists but not for this method; `allowed` goes in the `Allow` header.
    case methodNotAllowed(allowed: String)
    /// `OPTIONS` on a path that exists (a browser's CORS preflight): `allowed` are its methods.
    case options(allowed: String)

    /// Routes `/healthz`, `/metrics`, `/v1/pools`, `/v1/pools/{pool}`,
    /// `/v1/pools/{pool}/claims`, `/v1/me/vouchers`, `/v1/me/payment-codes`, `/v1/redemptions`,
    /// `/v1/redemptions/{order}/reverse`. Every GET path takes HEAD too (the HTTP server leaves
    /// the body out) and every path OPTIONS. Matched on the path's bytes, and a pool id is looked
    /// up in `pools` from its bytes: routing a claim builds no String.
    public init(method: HTTPMethod, path p: UnsafeRawBufferPointer, pools: PoolDirectory) {
        func only(_ m: HTTPMethod, _ route: Route) -> Route {
            if method == m || (m == .get && method == .head) { return route }
            let allowed = m == .get ? "GET, HEAD, OPTIONS" : "POST, OPTIONS"
            return method == .options ? .options(allowed: allowed) : .methodNotAllowed(allowed: allowed)
        }
        if let (id, tail) = Self.segment(p, after: "/v1/pools/") {
            let pool = pools.index(of: id).map(PoolRef.known) ?? .unknown(String(decoding: id, as: UTF8.self))
            if tail.isEmpty {
                self = only(.get, .progress(pool: pool))
                return
            }
            if Self.equals(tail, "/claims") {
                self = only(.post, .claim(pool: pool))
                return
            }
        } else if Self.equals(p, "/v1/pools") {
            self = only(.get, .pools)
            return
        } else if Self.equals(p, "/healthz") {
            self = only(.get, .health)
            return
        } else if Self.equals(p, "/metrics") {
            self = only(.get, .metrics)
            return
        } else if Self.equals(p, "/v1/me/vouchers") {
            self = only(.get, .wallet)
            return
        } else if Self.equals(p, "/v1/me/payment-codes") {
            self = only(.post, .paymentCode)
            return
        } else if Self.equals(p, "/v1/redemptions") {
            self = only(.post, .redeem)
            return
        } else if let (order, tail) = Self.segment(p, after: "/v1/redemptions/"), Self.equals(tail, "/reverse") {
            self = only(.post, .reverse(order: String(decoding: order, as: UTF8.self)))
            return
        }
        self = .notFound
    }

    /// The same for a path held as a String (tests, the fuzz target).
    public init(method: HTTPMethod, path: String, pools: PoolDirectory) {
        var path = path
        self = path.withUTF8 { Route(method: method, path: UnsafeRawBufferPointer($0), pools: pools) }
    }

    private static func equals(_ p: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        ByteMatch.equal(p, literal)
    }

    /// The non-empty segment after `prefix` and what follows it (empty, or starting with "/").
    private static func segment(_ p: UnsafeRawBufferPointer, after prefix: StaticString) -> (
        UnsafeRawBufferPointer, UnsafeRawBufferPointer
    )? {
        let n = prefix.utf8CodeUnitCount
        guard p.count > n, ByteMatch.hasPrefix(p, prefix), let base = p.baseAddress else { return nil }
        let end = memchr(base + n, Int32(UInt8(ascii: "/")), p.count - n).map { base.distance(to: $0) } ?? p.count
        guard end > n else { return nil }
        return (UnsafeRawBufferPointer(rebasing: p[n..<end]), UnsafeRawBufferPointer(rebasing: p[end...]))
    }
}

/// A pool named in a request path: its index in the programme, or, for an id no pool has,
/// the id as sent (for the 404's message).
public enum PoolRef: Hashable, Sendable {
    case known(Int)
    case unknown(String)
}

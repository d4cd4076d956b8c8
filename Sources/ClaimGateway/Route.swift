import ClaimHTTP

/// What a request asks for, decided from its method and path alone.
public enum Route: Hashable, Sendable {
    case health
    case metrics
    case claim(pool: String)
    case progress(pool: String)
    case wallet
    case redeem
    case reverse(order: String)
    case notFound
    /// The path exists but not for this method; `allowed` goes in the `Allow` header.
    case methodNotAllowed(allowed: String)

    /// Routes `/healthz`, `/metrics`, `/v1/pools/{pool}`, `/v1/pools/{pool}/claims`,
    /// `/v1/me/vouchers`, `/v1/redemptions`, `/v1/redemptions/{order}/reverse`. Matched on the
    /// path's bytes: every request is routed, so nothing is split or allocated but the id.
    public init(method: HTTPMethod, path: String) {
        var path = path
        self = path.withUTF8 { Self.route(method, $0) }
    }

    private static func route(_ method: HTTPMethod, _ p: UnsafeBufferPointer<UInt8>) -> Route {
        func only(_ m: HTTPMethod, _ name: String, _ route: Route) -> Route {
            method == m ? route : .methodNotAllowed(allowed: name)
        }
        if equals(p, "/healthz") {
            // HEAD too, for load balancers' health checks.
            return method == .get || method == .head ? .health : .methodNotAllowed(allowed: "GET, HEAD")
        }
        if equals(p, "/metrics") { return only(.get, "GET", .metrics) }
        if equals(p, "/v1/me/vouchers") { return only(.get, "GET", .wallet) }
        if equals(p, "/v1/redemptions") { return only(.post, "POST", .redeem) }
        if let (id, tail) = segment(p, after: "/v1/pools/") {
            if tail.isEmpty { return only(.get, "GET", .progress(pool: id)) }
            if equals(tail, "/claims") { return only(.post, "POST", .claim(pool: id)) }
        }
        if let (order, tail) = segment(p, after: "/v1/redemptions/"), equals(tail, "/reverse") {
            return only(.post, "POST", .reverse(order: order))
        }
        return .notFound
    }

    private static func equals(_ p: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        p.count == literal.utf8CodeUnitCount
            && p.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The non-empty segment after `prefix` and what follows it (empty, or starting with "/").
    private static func segment(_ p: UnsafeBufferPointer<UInt8>, after prefix: StaticString) -> (
        String, UnsafeBufferPointer<UInt8>
    )? {
        let n = prefix.utf8CodeUnitCount
        guard p.count > n,
            UnsafeBufferPointer(rebasing: p[..<n]).elementsEqual(UnsafeBufferPointer(start: prefix.utf8Start, count: n))
        else { return nil }
        let end = p[n...].firstIndex(of: UInt8(ascii: "/")) ?? p.count
        guard end > n else { return nil }
        return (
            String(decoding: UnsafeBufferPointer(rebasing: p[n..<end]), as: UTF8.self),
            UnsafeBufferPointer(rebasing: p[end...])
        )
    }
}

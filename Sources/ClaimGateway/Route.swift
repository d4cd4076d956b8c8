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

    /// Routes `/healthz`, `/v1/pools/{pool}`, `/v1/pools/{pool}/claims`, `/v1/me/vouchers`,
    /// `/v1/redemptions`, `/v1/redemptions/{order}/reverse`.
    public init(method: HTTPMethod, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        func only(_ m: HTTPMethod, _ name: String, _ route: Route) -> Route {
            method == m ? route : .methodNotAllowed(allowed: name)
        }
        switch parts.count {
        case 2 where parts[1] == "healthz":
            // HEAD too, for load balancers' health checks.
            self = method == .get || method == .head ? .health : .methodNotAllowed(allowed: "GET, HEAD")
        case 2 where parts[1] == "metrics":
            self = only(.get, "GET", .metrics)
        case 3 where parts[1] == "v1" && parts[2] == "redemptions":
            self = only(.post, "POST", .redeem)
        case 4 where parts[1] == "v1" && parts[2] == "me" && parts[3] == "vouchers":
            self = only(.get, "GET", .wallet)
        case 4 where parts[1] == "v1" && parts[2] == "pools" && !parts[3].isEmpty:
            self = only(.get, "GET", .progress(pool: String(parts[3])))
        case 5 where parts[1] == "v1" && parts[2] == "pools" && !parts[3].isEmpty && parts[4] == "claims":
            self = only(.post, "POST", .claim(pool: String(parts[3])))
        case 5 where parts[1] == "v1" && parts[2] == "redemptions" && !parts[3].isEmpty && parts[4] == "reverse":
            self = only(.post, "POST", .reverse(order: String(parts[3])))
        default:
            self = .notFound
        }
    }
}

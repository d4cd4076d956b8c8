import ClaimHTTP
import Testing

@testable import ClaimGateway

@Suite struct RouteTests {
    let pools = PoolDirectory(ids: ["appliance-500", "a", "comprehensive-50"])

    func route(_ method: HTTPMethod, _ path: String) -> Route { Route(method: method, path: path, pools: pools) }

    @Test func routesTheAPI() {
        #expect(route(.get, "/healthz") == .health)
        #expect(route(.head, "/healthz") == .health)
        #expect(route(.post, "/v1/pools/appliance-500/claims") == .claim(pool: .known(0)))
        #expect(route(.post, "/v1/pools/comprehensive-50/claims") == .claim(pool: .known(2)))
        #expect(route(.get, "/v1/pools/appliance-500") == .progress(pool: .known(0)))
        #expect(route(.get, "/v1/me/vouchers") == .wallet)
        #expect(route(.post, "/v1/redemptions/o-1/reverse") == .reverse(order: "o-1"))
    }

    @Test func anIdNoPoolHasIsKeptAsSentForThe404() {
        #expect(route(.post, "/v1/pools/appliance-50/claims") == .claim(pool: .unknown("appliance-50")))
        #expect(route(.get, "/v1/pools/appliance-5000") == .progress(pool: .unknown("appliance-5000")))
    }

    @Test func saysWhichMethodAPathTakes() {
        #expect(route(.get, "/v1/pools/a/claims") == .methodNotAllowed(allowed: "POST, OPTIONS"))
        #expect(route(.post, "/v1/me/vouchers") == .methodNotAllowed(allowed: "GET, HEAD, OPTIONS"))
        #expect(route(.delete, "/healthz") == .methodNotAllowed(allowed: "GET, HEAD, OPTIONS"))
        #expect(route(.head, "/v1/pools/a/claims") == .methodNotAllowed(allowed: "POST, OPTIONS"))
    }

    /// Issue "Residents and SREs": HEAD on every GET, OPTIONS (CORS preflight) on every path,
    /// and a list of the pools.
    @Test func everyGetTakesHeadAndEveryPathOptions() {
        #expect(route(.get, "/v1/pools") == .pools)
        for (path, get) in [
            ("/v1/pools", Route.pools), ("/v1/pools/a", .progress(pool: .known(1))), ("/v1/me/vouchers", .wallet),
            ("/healthz", .health), ("/metrics", .metrics),
        ] {
            #expect(route(.head, path) == get, "\(path)")
            #expect(route(.options, path) == .options(allowed: "GET, HEAD, OPTIONS"), "\(path)")
        }
        for path in ["/v1/pools/a/claims", "/v1/redemptions", "/v1/redemptions/o-1/reverse"] {
            #expect(route(.options, path) == .options(allowed: "POST, OPTIONS"), "\(path)")
        }
        #expect(route(.options, "/nowhere") == .notFound)
    }

    @Test func everythingElseIsNotFound() {
        for p in [
            "/", "/v1", "/v1/pools/", "/v1/poolsx", "/v1/pools//claims", "/v1/pools/a/claims/x", "/healthz/",
            "//healthz",
        ] {
            #expect(route(.get, p) == .notFound, "\(p)")
        }
    }
}

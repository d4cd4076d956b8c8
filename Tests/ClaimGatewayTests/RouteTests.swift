import Testing

@testable import ClaimGateway

@Suite struct RouteTests {
    @Test func routesTheAPI() {
        #expect(Route(method: .get, path: "/healthz") == .health)
        #expect(Route(method: .head, path: "/healthz") == .health)
        #expect(Route(method: .post, path: "/v1/pools/appliance-500/claims") == .claim(pool: "appliance-500"))
        #expect(Route(method: .get, path: "/v1/pools/appliance-500") == .progress(pool: "appliance-500"))
        #expect(Route(method: .get, path: "/v1/me/vouchers") == .wallet)
    }

    @Test func saysWhichMethodAPathTakes() {
        #expect(Route(method: .get, path: "/v1/pools/a/claims") == .methodNotAllowed(allowed: "POST"))
        #expect(Route(method: .post, path: "/v1/me/vouchers") == .methodNotAllowed(allowed: "GET"))
        #expect(Route(method: .delete, path: "/healthz") == .methodNotAllowed(allowed: "GET, HEAD"))
        #expect(Route(method: .head, path: "/v1/me/vouchers") == .methodNotAllowed(allowed: "GET"))
    }

    @Test func everythingElseIsNotFound() {
        for p in [
            "/", "/v1", "/v1/pools", "/v1/pools/", "/v1/pools//claims", "/v1/pools/a/claims/x", "/healthz/",
            "//healthz",
        ] {
            #expect(Route(method: .get, path: p) == .notFound, "\(p)")
        }
    }
}

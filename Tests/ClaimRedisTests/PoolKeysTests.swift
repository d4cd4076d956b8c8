import Testing

@testable import ClaimRedis

@Suite struct PoolKeysTests {
    @Test func aWindowKeyParsesBackToItsPoolAndWindow() {
        for (pool, window) in [("appliance-500", "2022-06-10"), ("national-15-split.s2", "2022-06-10"), ("p", "w1")] {
            let key = PoolKeys(pool: pool).window(window)
            #expect(PoolKeys.parseWindow(key)?.pool == pool)
            #expect(PoolKeys.parseWindow(key)?.window == window)
        }
        for other in [
            PoolKeys(pool: "p").people("w"), PoolKeys(pool: "p").vouchers, "cg:{}:w:x", "cg:{p}:w:", "x:{p}:w:1", "",
        ] {
            #expect(PoolKeys.parseWindow(other) == nil, "\(other)")
        }
    }
}

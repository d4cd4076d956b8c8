import ClaimCore
import ClaimTestSupport
import Testing

@testable import ClaimRedis

/// The pre-rendered command against the general encoder: the same bytes for every kind of claim.
@Suite struct ClaimCommandTests {
    let at = TestProgramme.releaseInstant.adding(milliseconds: 1234)

    func claim(_ pool: Pool, _ person: String, key: String? = nil, store: String? = nil) throws -> ClaimRequest {
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: TestProgramme.calendar))
        return ClaimRequest(
            pool: pool, window: w, person: person, claimedAt: at, expiresAt: at.adding(milliseconds: 50_000_000),
            idempotencyKey: key, store: store)
    }

    func general(_ claims: [ClaimRequest]) -> [UInt8] {
        var out: [UInt8] = []
        RESPEncoder.append(ClaimScript.command(claims), to: &out)
        return out
    }

    func templated(_ claims: [ClaimRequest]) throws -> [UInt8] {
        let first = try #require(claims.first)
        let command = ClaimCommand(segment: first.segment, window: first.window.id)
        var out: [UInt8] = []
        command.appendHead(claims: claims.count, to: &out)
        for r in claims { command.appendClaim(r, to: &out) }
        return out
    }

    @Test func writesTheSameBytesAsTheGeneralEncoder() throws {
        let plain = TestProgramme.dailyPool(stock: 10, autoOpen: true)
        let store = TestProgramme.dailyPool(stock: 10, storeQR: true)
        let bundle = TestProgramme.dailyPool(stock: 10, bundle: [100_000, 50_000, 50_000])
        let split = TestProgramme.dailyPool(stock: 10, autoOpen: true, segments: 3)
        let buyers = Pool(
            id: "t-buyers", kind: .housingGrant, name: "grant", faceFen: 200_000, thresholdFen: 0, limitPerWindow: 1,
            schedule: plain.schedule, stockPerRelease: 2, validity: .endOfClaimDay,
            eligibility: EligibilityRule(requiresBuyerList: true), merchantCategories: [])
        let requests = [
            try claim(plain, "u1"), try claim(plain, "résident-éé", key: "retry-7"),
            try claim(store, "u2", store: "store-1"),
            try claim(bundle, "buyer"), try claim(split, "p17"), try claim(split, "p18", key: "k"),
            try claim(buyers, "b-1"),
        ]
        for r in requests {
            #expect(try templated([r]) == general([r]), "\(r.pool.id) \(r.person)")
        }
        // A batch: the window's arguments once, then each claim's, in order.
        let batch = [
            try claim(plain, "u1"), try claim(plain, "u2", key: "k-2"), try claim(plain, "u1"),
            try claim(plain, "u3", store: "s"),
        ]
        #expect(try templated(batch) == general(batch))
        #expect(ClaimScript.command(batch).count == 3 + 7 + 7 + 4 * 5)
    }

    @Test func knowsTheSlotOfItsKeys() throws {
        let split = TestProgramme.dailyPool(stock: 10, segments: 4)
        for person in ["a", "b", "c", "d", "e"] {
            let r = try claim(split, person)
            #expect(ClaimCommand(segment: r.segment, window: r.window.id).slot == HashSlot.of(ClaimScript.keys(r)[0]))
        }
    }
}

/// The fresh-grant reader over replies as hiredis reads them.
@Suite struct ClaimScriptFreshGrantTests {
    func fresh(_ resp: String) throws -> (left: Int64, id: String)? {
        let reader = RedisReplyReader()
        try reader.feed(Array(resp.utf8))
        var found: (Int64, String)?
        let read = try reader.nextView { view in
            found = ClaimScript.freshGrant(view).map { ($0.left, String(decoding: $0.id, as: UTF8.self)) }
        }
        #expect(read)
        return found
    }

    /// How each claim's reply is found in a call's reply, read in place.
    func split(_ resp: String, claims: Int) throws -> [String?] {
        let reader = RedisReplyReader()
        try reader.feed(Array(resp.utf8))
        var found: [String?] = []
        _ = try reader.nextView { view in
            found = (0..<claims).map { i in
                ClaimScript.reply(i, of: view, claims: claims).map { "\($0.owned())" }
            }
        }
        return found
    }

    @Test func findsEachClaimsReplyInALoneOrABatchReply() throws {
        let soldOut = "*1\r\n$8\r\nsold_out\r\n"
        let lone = try split(soldOut, claims: 1)
        #expect(lone.count == 1 && lone[0] != nil)
        let batch = try split("*2\r\n" + soldOut + soldOut, claims: 2)
        #expect(batch.count == 2 && batch.allSatisfy { $0 != nil })
        // An error, or a batch reply of another length, is no claim's reply.
        #expect(try split("-ERR boom\r\n", claims: 1) == [nil])
        #expect(try split("*1\r\n" + soldOut, claims: 2) == [nil, nil])
        #expect(ClaimScript.replies(.error("ERR boom"), claims: 2) == nil)
        #expect(ClaimScript.replies(.array([.integer(1)]), claims: 2) == nil)
        #expect(ClaimScript.replies(.integer(1), claims: 1) == [.integer(1)])
    }

    @Test func readsAFreshGrantAndNothingElse() throws {
        let grant = "*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n"
        let got = try fresh(grant)
        #expect(got?.left == 41)
        #expect(got?.id == "p:w:9")
        // A replay, a bundle, refusals and errors go to the general reader.
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:1\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n") == nil)
        #expect(
            try fresh("*7\r\n$7\r\ngranted\r\n:1\r\n:0\r\n$1\r\na\r\n$1\r\nr\r\n$1\r\nb\r\n$1\r\nr\r\n") == nil)
        #expect(try fresh("*1\r\n$8\r\nsold_out\r\n") == nil)
        #expect(try fresh("-ERR boom\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n$2\r\n41\r\n:0\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$0\r\n\r\n$3\r\nrec\r\n") == nil)
        // Found by the fuzz campaign: an error (or status) where the id or record belongs.
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$5\r\np:w:9\r\n-10:1\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n+p:w:9\r\n$3\r\nrec\r\n") == nil)
    }
}

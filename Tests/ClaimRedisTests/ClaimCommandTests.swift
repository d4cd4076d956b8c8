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

/// The fresh-grant reader over replies as hiredis reads them, and the owned reader's expansion
/// of a batch's fresh grants.
@Suite struct ClaimScriptFreshGrantTests {
    func fresh(_ resp: String, _ i: Int = 0, claims: Int = 1) throws -> (left: Int64, number: Int64)? {
        let reader = RedisReplyReader()
        try reader.feed(Array(resp.utf8))
        var found: (left: Int64, number: Int64)?
        let read = try reader.nextView { view in found = ClaimScript.freshGrant(i, of: view, claims: claims) }
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
        let batch = try split("*3\r\n:7\r\n" + soldOut + soldOut, claims: 2)
        #expect(batch.count == 2 && batch.allSatisfy { $0 == "\(RedisReply.array([.bulk(Array("sold_out".utf8))]))" })
        // An error, a batch reply of another length or without its left + granted first, is no
        // claim's reply.
        #expect(try split("-ERR boom\r\n", claims: 1) == [nil])
        #expect(try split("*2\r\n:7\r\n" + soldOut, claims: 2) == [nil, nil])
        #expect(try split("*3\r\n" + soldOut + soldOut + soldOut, claims: 2) == [nil, nil])
    }

    @Test func readsALoneFreshGrantAndNothingElse() throws {
        let grant = "*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n"
        let got = try fresh(grant)
        #expect(got?.left == 41)
        #expect(got?.number == 9)
        // A replay, a bundle, refusals and errors go to the general reader.
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:1\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n") == nil)
        #expect(
            try fresh("*7\r\n$7\r\ngranted\r\n:1\r\n:0\r\n$1\r\na\r\n$1\r\nr\r\n$1\r\nb\r\n$1\r\nr\r\n") == nil)
        #expect(try fresh("*1\r\n$8\r\nsold_out\r\n") == nil)
        #expect(try fresh("-ERR boom\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n$2\r\n41\r\n:0\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$0\r\n\r\n$3\r\nrec\r\n") == nil)
        // An id that does not end in :<number> is not one the gateway could write itself.
        for id in ["p:w:", "p:w:x9", "p:w:+9", "9", "p:w:9.1", "p:w:1234567890123456789"] {
            #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$\(id.utf8.count)\r\n\(id)\r\n$3\r\nrec\r\n") == nil)
        }
        // Found by the fuzz campaign: an error (or status) where the id or record belongs.
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$5\r\np:w:9\r\n-10:1\r\n") == nil)
        #expect(try fresh("*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n+p:w:9\r\n$3\r\nrec\r\n") == nil)
    }

    @Test func readsABatchsFreshGrantsFromTheirNumbers() throws {
        let reply = "*4\r\n:50\r\n:9\r\n*1\r\n$13\r\nlimit_reached\r\n:10\r\n"
        #expect(try fresh(reply, 0, claims: 3).map { [$0.left, $0.number] } == [41, 9])
        #expect(try fresh(reply, 1, claims: 3) == nil)
        #expect(try fresh(reply, 2, claims: 3).map { [$0.left, $0.number] } == [40, 10])
        // Out of range, the wrong length, no sum first, or a sum that overflows: none.
        #expect(try fresh(reply, 3, claims: 3) == nil)
        #expect(try fresh(reply, 0, claims: 2) == nil)
        #expect(try fresh("*3\r\n$2\r\n50\r\n:9\r\n:10\r\n", 0, claims: 2) == nil)
        #expect(try fresh("*3\r\n:-9223372036854775808\r\n:1\r\n:2\r\n", 0, claims: 2) == nil)
    }

    @Test func expandsABatchsFreshGrantIntoTheReplyItWouldHaveHadAlone() throws {
        let pool = TestProgramme.dailyPool(stock: 10, storeQR: true)
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: TestProgramme.calendar))
        let at = TestProgramme.releaseInstant.adding(milliseconds: 1234)
        let claims = ["a", "b"].map {
            ClaimRequest(
                pool: pool, window: w, person: $0, claimedAt: at, expiresAt: at.adding(milliseconds: 5000),
                idempotencyKey: nil, store: "s1")
        }
        let items = try #require(
            ClaimScript.replies(
                .array([.integer(50), .integer(9), .array([.bulk(Array("sold_out".utf8))])]), for: claims))
        #expect(items.count == 2)
        let outcome = try ClaimScript.outcome(items[0], for: claims[0])
        let voucher = Voucher(
            id: "\(pool.id):2022-06-10:9", pool: pool.id, window: "2022-06-10", owner: "a", faceFen: pool.faceFen,
            thresholdFen: pool.thresholdFen, claimedAt: at, expiresAt: at.adding(milliseconds: 5000), store: "s1")
        #expect(outcome == .granted([voucher], left: 41, replayed: false))
        #expect(try ClaimScript.outcome(items[1], for: claims[1]) == .soldOut)
        // A lone claim's reply is its own; errors and other shapes are no claim's.
        #expect(ClaimScript.replies(.integer(1), for: [claims[0]]) == [.integer(1)])
        #expect(ClaimScript.replies(.error("ERR boom"), for: claims) == nil)
        #expect(ClaimScript.replies(.array([.integer(1), .integer(2)]), for: claims) == nil)
        #expect(ClaimScript.replies(.array([.bulk([]), .integer(2), .integer(3)]), for: claims) == nil)
    }
}

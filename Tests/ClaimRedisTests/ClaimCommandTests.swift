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
        #expect(ClaimScript.command(batch).count == 3 + 8 + 7 + 4 * 5)
    }

    @Test func knowsTheSlotOfItsKeys() throws {
        let split = TestProgramme.dailyPool(stock: 10, segments: 4)
        for person in ["a", "b", "c", "d", "e"] {
            let r = try claim(split, person)
            #expect(ClaimCommand(segment: r.segment, window: r.window.id).slot == HashSlot.of(ClaimScript.keys(r)[0]))
        }
    }
}

/// claim.lua's one reader over replies as hiredis reads them (in place), and on owned copies.
@Suite struct ClaimScriptReaderTests {
    let pool = TestProgramme.dailyPool(stock: 10)

    func requests(_ n: Int) throws -> [ClaimRequest] {
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: TestProgramme.calendar))
        return (0..<n).map {
            ClaimRequest(
                pool: pool, window: w, person: "p\($0)", claimedAt: w.opensAt, expiresAt: w.opensAt,
                idempotencyKey: nil, store: nil)
        }
    }

    /// Every claim's item of `resp`, read in place, each checked against the owned copy's.
    func items(_ resp: String, claims: Int) throws -> [ClaimReplyItem] {
        let reader = RedisReplyReader()
        try reader.feed(Array(resp.utf8))
        let rs = try requests(claims)
        var found: [ClaimReplyItem] = []
        let read = try reader.nextView { view in
            found = rs.indices.map { ClaimScript.item($0, of: view, for: rs[$0], claims: claims) }
            let owned = view.owned()
            #expect(found == rs.indices.map { ClaimScript.item($0, of: owned, for: rs[$0], claims: claims) })
        }
        #expect(read)
        return found
    }

    func fresh(_ resp: String, _ i: Int = 0, claims: Int = 1) throws -> [Int64]? {
        guard case .freshGrant(let left, let number) = try items(resp, claims: claims)[i] else { return nil }
        return [left, number]
    }

    func expectUnreadable(_ resp: String, claims: Int) throws {
        for item in try items(resp, claims: claims) {
            guard case .unreadable = item else {
                Issue.record("read \(item) from \(resp)")
                continue
            }
        }
    }

    @Test func findsEachClaimsReplyInALoneOrABatchReply() throws {
        let soldOut = "*1\r\n$8\r\nsold_out\r\n"
        #expect(try items(soldOut, claims: 1) == [.outcome(.soldOut)])
        #expect(try items("*3\r\n:7\r\n" + soldOut + soldOut, claims: 2) == [.outcome(.soldOut), .outcome(.soldOut)])
        // An error, a batch reply of another length or without its left + granted first, is no
        // claim's reply.
        #expect(try items("-ERR boom\r\n", claims: 1) == [.unreadable("ERR boom")])
        try expectUnreadable("*2\r\n:7\r\n" + soldOut, claims: 2)
        try expectUnreadable("*3\r\n" + soldOut + soldOut + soldOut, claims: 2)
    }

    @Test func readsALoneFreshGrantAndNothingElse() throws {
        let grant = "*5\r\n$7\r\ngranted\r\n:41\r\n:0\r\n$5\r\np:w:9\r\n$3\r\nrec\r\n"
        #expect(try fresh(grant) == [41, 9])
        // A replay, a bundle, refusals and errors are read as outcomes (or not at all).
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
        #expect(
            try items(reply, claims: 3) == [
                .freshGrant(left: 41, number: 9), .outcome(.limitReached), .freshGrant(left: 40, number: 10),
            ])
        // The wrong length, no sum first, or a sum that overflows: none.
        try expectUnreadable(reply, claims: 2)
        try expectUnreadable("*3\r\n$2\r\n50\r\n:9\r\n:10\r\n", claims: 2)
        try expectUnreadable("*3\r\n:-9223372036854775808\r\n:1\r\n:2\r\n", claims: 2)
    }

    @Test func aFreshGrantsVoucherIsTheOneTheScriptRecorded() throws {
        let pool = TestProgramme.dailyPool(stock: 10, storeQR: true)
        let w = try #require(pool.schedule.window(id: "2022-06-10", in: TestProgramme.calendar))
        let at = TestProgramme.releaseInstant.adding(milliseconds: 1234)
        let r = ClaimRequest(
            pool: pool, window: w, person: "a", claimedAt: at, expiresAt: at.adding(milliseconds: 5000),
            idempotencyKey: nil, store: "s1")
        let voucher = Voucher(
            id: "\(pool.id):2022-06-10:9", pool: pool.id, window: "2022-06-10", owner: "a", faceFen: pool.faceFen,
            thresholdFen: pool.thresholdFen, claimedAt: at, expiresAt: at.adding(milliseconds: 5000), store: "s1")
        #expect(
            try ClaimScript.outcome(.freshGrant(left: 41, number: 9), for: r)
                == .granted([voucher], left: 41, replayed: false))
        // The same voucher as the record claim.lua writes, read back.
        #expect(
            VoucherRecord.decode(id: voucher.id, pool: pool.id, record: VoucherRecord.encode(r))
                == ClaimScript.voucher(for: r, number: 9))
        #expect(throws: RedisError.self) { try ClaimScript.outcome(.unreadable("x"), for: r) }
    }
}

import ClaimCore
import ClaimRedis

/// The 201 body of a fresh grant of one voucher in one pool's window, kept as the bytes that
/// `ResponseBody.claim` (the one writer of a claim's answer) writes around the parts that vary
/// from claim to claim: the voucher's number, its instants, its state, its store and what is
/// left. Sample grants are rendered through `ResponseBody.claim` once per window and cut at
/// those parts, so the pool's fixed fields, its merchant categories and each segment's voucher
/// id prefix are not written again per grant, and a change to the answer's format has one
/// place to be made. Reassembling the samples must give their bytes back; if a pool's own text
/// ever made the cut ambiguous, `init` fails and the caller writes through `ResponseBody.claim`.
struct GrantAnswer {
    let windowID: String
    /// Per segment: everything before the voucher's number.
    private let heads: [[UInt8]]
    private let afterNumber: [UInt8]
    private let afterClaimed: [UInt8]
    private let afterExpires: [UInt8]
    /// After the state to `left`'s value, without a store.
    private let afterState: [UInt8]
    /// The same with a store: up to its id, between its id and its name, and after the name.
    private let toStore: [UInt8]
    private let toStoreName: [UInt8]
    private let afterStore: [UInt8]
    private let tail: [UInt8]
    private let programme: Programme

    /// Sample values that cannot be mistaken for anything else in a body.
    private static let numberMark: Int64 = 918_273_645_546
    private static let claimedMark = Instant(unixMilliseconds: 1_111_111_111_111)
    private static let expiresMark = Instant(unixMilliseconds: 2_222_222_222_222)
    private static let leftMark: Int64 = 987_654_321_987
    private static let storeMark = "cg-store-mark-7f3a9c"
    /// The sample is answered at this instant: before its expiry, so usable.
    private static let sampleNow = Instant(unixMilliseconds: 0)

    init?(pool: Pool, window: ReleaseWindow, programme: Programme) {
        windowID = window.id
        self.programme = programme
        let calendar = programme.calendar
        /// The one writer's body for a fresh grant with these values.
        func general(
            _ segment: Int, number: Int64, claimed: Instant, expires: Instant, store: String?, left: Int64,
            now: Instant
        ) -> [UInt8] {
            let prefix = ClaimScript.voucherIDPrefix(
                segment: PoolSegment(pool: pool, index: segment), window: window.id)
            let v = Voucher(
                id: prefix + String(number), pool: pool.id, window: window.id, owner: "",
                faceFen: pool.bundleFen.first ?? pool.faceFen, thresholdFen: pool.thresholdFen, claimedAt: claimed,
                expiresAt: expires, store: store)
            return ResponseBody.claim(
                .granted([v], left: Int(left), replayed: false), pool: pool, programme: programme, now: now
            ).body
        }
        func sample(_ segment: Int, store: String?) -> [UInt8] {
            general(
                segment, number: Self.numberMark, claimed: Self.claimedMark, expires: Self.expiresMark, store: store,
                left: Self.leftMark, now: Self.sampleNow)
        }
        let number = Array(String(Self.numberMark).utf8)
        var claimed: [UInt8] = []
        calendar.appendISO8601(Self.claimedMark, to: &claimed)
        var expires: [UInt8] = []
        calendar.appendISO8601(Self.expiresMark, to: &expires)
        let usable = Array(VoucherState.usable.rawValue.utf8)
        let left = Array(String(Self.leftMark).utf8)
        // The mark is no store of the programme's, so its name is its id (`Programme.storeName`).
        var store: [UInt8] = []
        JSONWriter.appendString(Self.storeMark, to: &store)
        var heads: [[UInt8]] = []
        var plain: [[UInt8]] = []
        for segment in 0..<pool.segmentCount {
            guard let pieces = Self.cut(sample(segment, store: nil), at: [number, claimed, expires, usable, left])
            else { return nil }
            heads.append(pieces[0])
            plain = pieces
        }
        guard
            let stored = Self.cut(
                sample(0, store: Self.storeMark), at: [number, claimed, expires, usable, store, store, left])
        else { return nil }
        self.heads = heads
        afterNumber = plain[1]
        afterClaimed = plain[2]
        afterExpires = plain[3]
        afterState = plain[4]
        tail = plain[5]
        toStore = stored[4]
        toStoreName = stored[5]
        afterStore = stored[6]
        // Other values through the cut must give what the one writer gives for them, or a mark
        // met something else in the body (a pool's own text) and the cut is wrong.
        let claimedAt = Instant(unixMilliseconds: 1_654_826_400_123)
        for segment in 0..<pool.segmentCount {
            for (store, now) in [(nil, claimedAt), ("s\"1", claimedAt.adding(milliseconds: 90_000_000))] {
                var templated: [UInt8] = []
                append(
                    segment: segment, number: 42, claimedAt: claimedAt,
                    expiresAt: claimedAt.adding(milliseconds: 86_400_000), store: store, left: 5, now: now,
                    to: &templated)
                let expected = general(
                    segment, number: 42, claimed: claimedAt, expires: claimedAt.adding(milliseconds: 86_400_000),
                    store: store, left: 5, now: now)
                guard templated == expected else { return nil }
            }
        }
    }

    /// `body` split around each of `marks`, found in order: marks.count + 1 pieces, or nil.
    private static func cut(_ body: [UInt8], at marks: [[UInt8]]) -> [[UInt8]]? {
        var pieces: [[UInt8]] = []
        var from = 0
        for mark in marks {
            guard let at = find(mark, in: body, from: from) else { return nil }
            pieces.append(Array(body[from..<at]))
            from = at + mark.count
        }
        pieces.append(Array(body[from...]))
        return pieces
    }

    private static func find(_ needle: [UInt8], in body: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, body.count - from >= needle.count else { return nil }
        for i in from...(body.count - needle.count) where body[i] == needle[0] {
            if body[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    /// Appends the body for voucher `number` of segment `segment` (its id is
    /// `ClaimScript.voucherID`), claimed at `claimedAt` in `store` (in-store pools), expiring at
    /// `expiresAt`, answered at `now`.
    func append(
        segment: Int, number: Int64, claimedAt: Instant, expiresAt: Instant, store: String?, left: Int64,
        now: Instant, to out: inout [UInt8]
    ) {
        out += heads[segment]
        DecimalDigits.append(signed: number, to: &out)
        out += afterNumber
        programme.calendar.appendISO8601(claimedAt, to: &out)
        out += afterClaimed
        programme.calendar.appendISO8601(expiresAt, to: &out)
        out += afterExpires
        // A fresh voucher is unused; it is already expired only if its day ended while the
        // claim was in flight.
        out.append(contentsOf: Voucher.state(expiresAt: expiresAt, redeemed: false, at: now).rawValue.utf8)
        if let store {
            out += toStore
            JSONWriter.appendString(store, to: &out)
            out += toStoreName
            JSONWriter.appendString(programme.storeName(store), to: &out)
            out += afterStore
        } else {
            out += afterState
        }
        DecimalDigits.append(signed: left, to: &out)
        out += tail
    }
}

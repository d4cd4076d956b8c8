import ClaimCore
import ClaimRedis

/// The 201 body of a fresh grant of one voucher in one pool's window, pre-rendered around the
/// parts that vary from claim to claim (voucher number, instants, state, store, what is left):
/// the pool's fixed fields, its merchant categories and each segment's voucher id prefix are
/// written once per window instead of once per grant. The bytes are exactly
/// `ResponseBody.claim`'s for the same voucher (tested), which stays the answer for everything
/// else (replays, bundles).
struct GrantAnswer {
    let windowID: String
    /// Per segment: `{"voucher":{"id":"<storage id>:<window>:` (the voucher's number follows).
    private let idPrefixes: [[UInt8]]
    /// `,"pool":...,"threshold_fen":T,"claimed_at":`
    private let afterID: [UInt8]
    /// `,"merchant_categories":[...]},"left":`
    private let afterState: [UInt8]
    private let calendar: CityCalendar

    init(pool: Pool, window: ReleaseWindow, calendar: CityCalendar) {
        windowID = window.id
        self.calendar = calendar
        idPrefixes = (0..<pool.segmentCount).map { segment in
            var p = Array(#"{"voucher":{"id":"#.utf8)
            JSONWriter.appendString(
                ClaimScript.voucherIDPrefix(segment: PoolSegment(pool: pool, index: segment), window: window.id),
                to: &p)
            p.removeLast()  // the closing quote: the number goes inside
            return p
        }
        var a: [UInt8] = []
        func field(_ name: StaticString, _ value: String) {
            a += Array(",\"\(name)\":".utf8)
            JSONWriter.appendString(value, to: &a)
        }
        field("pool", pool.id)
        field("kind", pool.kind.rawValue)
        field("window", window.id)
        a += Array(",\"face_fen\":".utf8)
        DecimalDigits.append(pool.faceFen, to: &a)
        a += Array(",\"threshold_fen\":".utf8)
        DecimalDigits.append(pool.thresholdFen, to: &a)
        a += Array(",\"claimed_at\":".utf8)
        afterID = a
        var b = Array(",\"merchant_categories\":[".utf8)
        for (i, c) in pool.merchantCategories.enumerated() {
            if i > 0 { b.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(c, to: &b)
        }
        b += Array("]},\"left\":".utf8)
        afterState = b
    }

    /// Appends the body for voucher `number` of segment `segment` (its id is
    /// `ClaimScript.voucherID`), claimed at `claimedAt` in `store` (in-store pools), expiring at
    /// `expiresAt`, answered at `now`.
    func append(
        segment: Int, number: Int64, claimedAt: Instant, expiresAt: Instant, store: String?, left: Int64,
        now: Instant, to out: inout [UInt8]
    ) {
        out += idPrefixes[segment]
        DecimalDigits.append(signed: number, to: &out)
        out.append(UInt8(ascii: "\""))
        out += afterID
        out.append(UInt8(ascii: "\""))
        calendar.appendISO8601(claimedAt, to: &out)
        Self.put(#"","expires_at":""#, &out)
        calendar.appendISO8601(expiresAt, to: &out)
        // A fresh voucher is unused; it is already expired only if its day ended while the
        // claim was in flight.
        Self.put(now >= expiresAt ? #"","state":"expired""# : #"","state":"usable""#, &out)
        if let store {
            Self.put(#","store":"#, &out)
            JSONWriter.appendString(store, to: &out)
        }
        out += afterState
        DecimalDigits.append(signed: left, to: &out)
        Self.put(#","replayed":false}"#, &out)
    }

    /// Appends a literal's bytes (no array is made for it).
    private static func put(_ literal: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

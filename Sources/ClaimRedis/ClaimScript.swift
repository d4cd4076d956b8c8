import ClaimCore

/// The claim script's calling convention: its KEYS and ARGV for a request, and its reply read
/// back as a `ClaimOutcome`. See the header of `Scripts/claim.lua`.
public enum ClaimScript {
    public static func keys(_ r: ClaimRequest) -> [String] { keys(segment: r.segment, window: r.window.id) }

    /// The same for every claim in one segment's window.
    static func keys(segment: PoolSegment, window: String) -> [String] {
        let k = PoolKeys(pool: segment.storageID)
        return [
            k.window(window), k.people(window), k.replays(window), k.vouchers, k.wallet, k.buyers, k.windows, k.pause,
        ]
    }

    /// ARGV for `claims`, in order: the window's own, then each claim's. Every claim must be in
    /// the first one's segment and window (the script's keys are that window's).
    public static func arguments(_ claims: [ClaimRequest]) -> [String] {
        guard let first = claims.first else { return [] }
        var args = windowArguments(segment: first.segment, window: first.window.id)
        args.reserveCapacity(args.count + claims.count * argumentsPerClaim)
        for r in claims {
            assert(r.segment == first.segment && r.window.id == first.window.id, "one window per batch")
            args += [
                r.person, String(r.claimedAt.unixMilliseconds), String(r.expiresAt.unixMilliseconds),
                r.idempotencyKey ?? "", r.store ?? "",
            ]
        }
        return args
    }

    /// The ARGV that are the same for every claim in one segment's window: ARGV[1-7] (pool,
    /// window, limit, faces, threshold, auto-open quota, buyer-list flag).
    static func windowArguments(segment: PoolSegment, window: String) -> [String] {
        let pool = segment.pool
        return [
            segment.storageID, window, String(pool.limitPerWindow),
            pool.bundleFen.map(String.init).joined(separator: ","),
            String(pool.thresholdFen), pool.autoOpen ? String(segment.share(of: pool.stockPerRelease)) : "",
            pool.eligibility.requiresBuyerList ? "1" : "",
        ]
    }

    /// Each claim's own ARGV after the window's: person, claimed at, expires at, idempotency
    /// key, store.
    static let argumentsPerClaim = 5

    /// `EVALSHA` (or, with `sendSource`, `EVAL` for the NOSCRIPT retry) for `claims`, all in one
    /// segment's window, as RESP arguments.
    public static func command(_ claims: [ClaimRequest], sendSource: Bool = false) -> [[UInt8]] {
        guard let first = claims.first else { return [] }
        return LuaScript.claim.command(keys: keys(first), arguments: arguments(claims), sendSource: sendSource)
    }

    /// One claim's command.
    public static func command(_ r: ClaimRequest, sendSource: Bool = false) -> [[UInt8]] {
        command([r], sendSource: sendSource)
    }

    /// Runs one claim on a blocking client (operators' tools and tests; the gateway pipelines).
    public static func run(_ r: ClaimRequest, on client: any RedisCommands) throws(RedisError) -> ClaimOutcome {
        try run([r], on: client)[0].get()
    }

    /// Runs claims for one segment's window in one call, in order: each outcome is the one the
    /// claim would have had alone, right after those before it.
    public static func run(_ claims: [ClaimRequest], on client: any RedisCommands) throws(RedisError) -> [Result<
        ClaimOutcome, RedisError
    >] {
        guard let first = claims.first else { return [] }
        let reply = try client.run(.claim, keys: keys(first), args: arguments(claims))
        guard isReadable(reply, claims: claims.count) else {
            throw .unexpectedReply("claim batch of \(claims.count): \(reply)")
        }
        return claims.indices.map { i in
            Result { () throws(RedisError) in
                try outcome(item(i, of: reply, for: claims[i], claims: claims.count), for: claims[i])
            }
        }
    }

    /// The id the script gives a window's voucher `number` (a pool of one voucher per grant).
    public static func voucherID(segment: PoolSegment, window: String, number: Int64) -> String {
        voucherIDPrefix(segment: segment, window: window) + String(number)
    }

    /// What every such id in a segment's window starts with; the number follows.
    public static func voucherIDPrefix(segment: PoolSegment, window: String) -> String {
        "\(segment.storageID):\(window):"
    }

    // MARK: the reply, read once

    /// Whether a call's reply for `claims` claims can be read claim by claim: not an error, and
    /// for a batch, an array of its length + 1 led by the window's left + granted. If not, the
    /// reply as a whole (an error: the script did not run, or failed with nothing written)
    /// answers every claim alike.
    public static func isReadable(_ reply: RedisReply, claims: Int) -> Bool { readable(reply, claims: claims) }

    /// Claim `i`'s item of a readable reply, read in place (the gateway's path).
    public static func item(_ i: Int, of reply: RedisReplyView, for r: ClaimRequest, claims: Int) -> ClaimReplyItem {
        read(i, of: reply, for: r, claims: claims)
    }

    /// The same from an owned copy (a reply held for WAIT; blocking clients).
    public static func item(_ i: Int, of reply: RedisReply, for r: ClaimRequest, claims: Int) -> ClaimReplyItem {
        read(i, of: reply, for: r, claims: claims)
    }

    /// The outcome an item stands for: a fresh grant's voucher is rebuilt from the claim's own
    /// request, as the script built its record.
    public static func outcome(_ item: ClaimReplyItem, for r: ClaimRequest) throws(RedisError) -> ClaimOutcome {
        switch item {
        case .outcome(let o): return o
        case .freshGrant(let left, let number):
            return .granted([voucher(for: r, number: number)], left: Int(left), replayed: false)
        case .unreadable(let why): throw .unexpectedReply("claim: \(why)")
        }
    }

    /// The voucher `number` a claim was granted (one voucher per grant): its id and the record
    /// the script wrote from the claim's ARGV.
    public static func voucher(for r: ClaimRequest, number: Int64) -> Voucher {
        Voucher(
            id: voucherID(segment: r.segment, window: r.window.id, number: number), pool: r.pool.id,
            window: r.window.id, owner: r.person, faceFen: r.pool.bundleFen.first ?? r.pool.faceFen,
            thresholdFen: r.pool.thresholdFen, claimedAt: r.claimedAt, expiresAt: r.expiresAt, store: r.store)
    }

    private static func readable<R: RedisReplyNode>(_ reply: R, claims: Int) -> Bool {
        guard reply.errorMessage == nil else { return false }
        return claims == 1 || (reply.count == claims + 1 && reply[0]?.integerReply != nil)
    }

    /// The one reader of claim.lua's reply (see its header), for either kind of node.
    private static func read<R: RedisReplyNode>(_ i: Int, of reply: R, for r: ClaimRequest, claims: Int)
        -> ClaimReplyItem
    {
        guard readable(reply, claims: claims), (0..<claims).contains(i) else {
            return .unreadable(reply.errorMessage ?? "no item \(i) in a reply for \(claims) claims")
        }
        guard claims > 1 else { return readLone(reply, for: r) }
        guard let item = reply[i + 1] else { return .unreadable("no item \(i)") }
        guard let number = item.integerReply else { return readLone(item, for: r) }
        // A batch's fresh grant is its voucher's number; left follows from the call's sum.
        guard r.pool.vouchersPerGrant == 1, let sum = reply[0]?.integerReply else {
            return .unreadable("a number for a claim of a bundle")
        }
        let (left, overflow) = sum.subtractingReportingOverflow(number)
        return overflow
            ? .unreadable("left + granted \(sum) - \(number) overflows") : .freshGrant(left: left, number: number)
    }

    /// A lone claim's reply, or a batch item that is not a number.
    private static func readLone<R: RedisReplyNode>(_ item: R, for r: ClaimRequest) -> ClaimReplyItem {
        guard let status = item[0] else { return .unreadable("not a claim reply") }
        if status.reads("sold_out") { return .outcome(.soldOut) }
        if status.reads("limit_reached") { return .outcome(.limitReached) }
        if status.reads("not_on_buyer_list") { return .outcome(.notEligible(.notOnBuyerList)) }
        if status.reads("not_open") { return .outcome(.notOpen(opensAt: r.window.opensAt)) }
        if status.reads("paused") {
            return .outcome(.paused(reason: item[1]?.withBulk { String(decoding: $0, as: UTF8.self) } ?? ""))
        }
        guard status.reads("granted") else { return .unreadable("unknown status") }
        guard item.count >= 5, item.count % 2 == 1, let left = item[1]?.integerReply,
            let replayed = item[2]?.integerReply
        else { return .unreadable("granted: not {granted, left, replayed, id, record, ...}") }
        // A fresh grant of one voucher: its number ends the id, and the rest is the claim's own.
        if item.count == 5, replayed == 0, r.pool.vouchersPerGrant == 1, item[4]?.withBulk({ _ in true }) == true,
            let number = item[3]?.withBulk({ trailingNumber($0) }) ?? nil
        {
            return .freshGrant(left: left, number: number)
        }
        var vouchers: [Voucher] = []
        var k = 3
        while k < item.count {
            guard let id = item[k]?.withBulk({ String(decoding: $0, as: UTF8.self) }),
                let record = item[k + 1]?.withBulk({ String(decoding: $0, as: UTF8.self) }),
                let v = VoucherRecord.decode(id: id, pool: r.pool.id, record: record)
            else { return .unreadable("granted: voucher \(k / 2) unreadable") }
            vouchers.append(v)
            k += 2
        }
        return .outcome(.granted(vouchers, left: Int(left), replayed: replayed == 1))
    }

    /// The decimal number after the last `:` of a voucher id, if that is all digits (at most 18).
    static func trailingNumber(_ id: UnsafeRawBufferPointer) -> Int64? {
        guard let colon = id.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        return DecimalDigits.value(id[(colon + 1)...]).map(Int64.init)
    }
}

/// One claim's part of a `claim.lua` reply.
public enum ClaimReplyItem: Hashable, Sendable {
    /// Granted one fresh voucher: its number (its id is `ClaimScript.voucherID`) and what is
    /// left after it. The gateway answers it from the window's pre-rendered 201.
    case freshGrant(left: Int64, number: Int64)
    /// Any other outcome (replays and bundles with their vouchers read from the reply).
    case outcome(ClaimOutcome)
    /// A shape the script never gives (a different script answered?), or the call's error.
    case unreadable(String)
}

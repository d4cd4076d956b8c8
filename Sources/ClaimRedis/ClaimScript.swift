import ClaimCore

/// The claim script's calling convention: its KEYS and ARGV for a request, and its reply read
/// back as a `ClaimOutcome`. See the header of `Scripts/claim.lua`.
public enum ClaimScript {
    public static func keys(_ r: ClaimRequest) -> [String] { keys(segment: r.segment, window: r.window.id) }

    /// The same for every claim in one segment's window.
    static func keys(segment: PoolSegment, window: String) -> [String] {
        let k = PoolKeys(pool: segment.storageID)
        return [k.window(window), k.people(window), k.replays(window), k.vouchers, k.wallet, k.buyers, k.windows]
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
        return try outcomes(client.run(.claim, keys: keys(first), args: arguments(claims)), for: claims)
    }

    /// Reads a call's reply: one outcome (or unreadable item) per claim. Throws for an error
    /// reply (the script did not run, or failed with nothing written) and for a reply of any
    /// other length.
    public static func outcomes(_ reply: RedisReply, for claims: [ClaimRequest]) throws(RedisError) -> [Result<
        ClaimOutcome, RedisError
    >] {
        guard let items = replies(try reply.orThrow(), for: claims) else {
            throw .unexpectedReply("claim batch of \(claims.count): \(reply)")
        }
        var out: [Result<ClaimOutcome, RedisError>] = []
        out.reserveCapacity(items.count)
        for (item, r) in zip(items, claims) {
            do throws(RedisError) { out.append(.success(try outcome(item, for: r))) } catch {
                out.append(.failure(error))
            }
        }
        return out
    }

    /// Each claim's reply in a call's reply for `claims`, as a lone claim's reply: a lone
    /// claim's is the call's own; a batch's follow its first item (the window's left + granted),
    /// and a fresh grant's number there becomes the reply the claim would have had alone (its
    /// voucher rebuilt from its own request, as the script built it). Nil for an error reply
    /// or any other shape (which answers every claim of the call alike).
    public static func replies(_ reply: RedisReply, for claims: [ClaimRequest]) -> [RedisReply]? {
        if case .error = reply { return nil }
        if claims.count == 1 { return [reply] }
        guard let items = reply.array, items.count == claims.count + 1, case .integer(let sum) = items[0] else {
            return nil
        }
        return zip(items.dropFirst(), claims).map { item, r in
            guard case .integer(let number) = item, r.pool.vouchersPerGrant == 1 else { return item }
            let (left, overflow) = sum.subtractingReportingOverflow(number)
            guard !overflow else { return item }
            return .array([
                .bulk(Array("granted".utf8)), .integer(left), .integer(0),
                .bulk(Array(voucherID(segment: r.segment, window: r.window.id, number: number).utf8)),
                .bulk(Array(VoucherRecord.encode(r).utf8)),
            ])
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

    /// Whether `reply` is readable in place as the reply to a call for `claims` claims (see
    /// `replies`); if not, its owned copy answers every claim alike.
    public static func isReadable(_ reply: RedisReplyView, claims: Int) -> Bool {
        guard !reply.isError else { return false }
        return claims == 1 || (reply.count == claims + 1 && reply[0]?.integer != nil)
    }

    /// The same, read in place: claim `i`'s item of a readable reply (a batch's fresh grant is
    /// its number there: read it with `freshGrant` first).
    public static func reply(_ i: Int, of reply: RedisReplyView, claims: Int) -> RedisReplyView? {
        guard isReadable(reply, claims: claims), (0..<claims).contains(i) else { return nil }
        return claims == 1 ? reply : reply[i + 1]
    }

    /// Claim `i`'s reply, if it is a fresh grant of one voucher, read in place: what is left
    /// after it and the voucher's number (its id is `voucherID`). Nil for any other reply
    /// (refusals, replays, bundles, errors), which `replies` reads from an owned copy. The
    /// voucher's record is not read: the script wrote it from this claim's own ARGV, so the
    /// claim already holds it.
    public static func freshGrant(_ i: Int, of reply: RedisReplyView, claims: Int) -> (left: Int64, number: Int64)? {
        guard let item = self.reply(i, of: reply, claims: claims) else { return nil }
        if claims > 1 {
            guard let number = item.integer, let sum = reply[0]?.integer else { return nil }
            let (left, overflow) = sum.subtractingReportingOverflow(number)
            return overflow ? nil : (left, number)
        }
        // A lone claim's reply: the same shape `outcome` reads from the owned copy, and nothing
        // looser (the fuzz target checks both agree); the number ends the id.
        guard item.count == 5, item[0]?.reads("granted") == true, let left = item[1]?.integer,
            item[2]?.integer == 0, let id = item[3]?.bulk, item[4]?.bulk != nil, let number = trailingNumber(id)
        else { return nil }
        return (left, number)
    }

    /// The decimal number after the last `:` of a voucher id, if that is all digits (at most 18).
    static func trailingNumber(_ id: UnsafeRawBufferPointer) -> Int64? {
        guard let colon = id.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        return DecimalDigits.value(id[(colon + 1)...]).map(Int64.init)
    }

    /// Reads one claim's reply (a lone claim's, or its item of a batch's). Throws for error
    /// replies and for shapes the script never returns (which would mean a different script
    /// answered).
    public static func outcome(_ reply: RedisReply, for r: ClaimRequest) throws(RedisError) -> ClaimOutcome {
        guard let items = try reply.orThrow().array, let status = items.first?.text else {
            throw .unexpectedReply("claim: \(reply)")
        }
        switch status {
        case "sold_out": return .soldOut
        case "limit_reached": return .limitReached
        case "not_on_buyer_list": return .notEligible(.notOnBuyerList)
        case "not_open": return .notOpen(opensAt: r.window.opensAt)
        case "granted":
            guard items.count >= 5, items.count % 2 == 1, let left = items[1].integer, let replayed = items[2].integer
            else { throw .unexpectedReply("claim granted: \(reply)") }
            var vouchers: [Voucher] = []
            var i = 3
            while i < items.count {
                guard let id = items[i].text, let record = items[i + 1].text,
                    let v = VoucherRecord.decode(id: id, pool: r.pool.id, record: record)
                else { throw .unexpectedReply("claim granted: \(reply)") }
                vouchers.append(v)
                i += 2
            }
            return .granted(vouchers, left: Int(left), replayed: replayed == 1)
        default:
            throw .unexpectedReply("claim: \(status)")
        }
    }
}

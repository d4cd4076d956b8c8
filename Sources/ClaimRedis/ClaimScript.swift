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

    public static func arguments(_ r: ClaimRequest) -> [String] {
        let fixed = WindowArguments(segment: r.segment, window: r.window.id)
        return [
            fixed.storage, fixed.window, r.person, fixed.limit, fixed.faces, fixed.threshold,
            String(r.claimedAt.unixMilliseconds), String(r.expiresAt.unixMilliseconds), r.idempotencyKey ?? "",
            fixed.quota, fixed.buyerList, r.store ?? "",
        ]
    }

    /// The ARGV that are the same for every claim in one segment's window (the rest are the
    /// claim's own: ARGV[3] person, ARGV[7-9] instants and key, ARGV[12] store).
    struct WindowArguments {
        let storage, window, limit, faces, threshold, quota, buyerList: String

        init(segment: PoolSegment, window: String) {
            let pool = segment.pool
            storage = segment.storageID
            self.window = window
            limit = String(pool.limitPerWindow)
            faces = pool.bundleFen.map(String.init).joined(separator: ",")
            threshold = String(pool.thresholdFen)
            quota = pool.autoOpen ? String(segment.share(of: pool.stockPerRelease)) : ""
            buyerList = pool.eligibility.requiresBuyerList ? "1" : ""
        }
    }

    /// `EVALSHA` (or, with `sendSource`, `EVAL` for the NOSCRIPT retry) as RESP arguments.
    public static func command(_ r: ClaimRequest, sendSource: Bool = false) -> [[UInt8]] {
        LuaScript.claim.command(keys: keys(r), arguments: arguments(r), sendSource: sendSource)
    }

    /// Runs one claim on a blocking client (operators' tools and tests; the gateway pipelines).
    public static func run(_ r: ClaimRequest, on client: any RedisCommands) throws(RedisError) -> ClaimOutcome {
        try outcome(client.run(.claim, keys: keys(r), args: arguments(r)), for: r)
    }

    /// A fresh grant of one voucher, read in place: what is left and the voucher's id (bytes of
    /// the reply, valid only during its delivery). Nil for any other reply (refusals, replays,
    /// bundles, errors), which `outcome` reads from an owned copy. The voucher's record is not
    /// read: the script wrote it from this claim's own ARGV, so the claim already holds it.
    public static func freshGrant(_ reply: RedisReplyView) -> (left: Int64, id: UnsafeRawBufferPointer)? {
        // The same shape `outcome` reads from the owned copy, and nothing looser (the fuzz
        // target checks both agree): the id and the record are bulk strings.
        guard reply.count == 5, reply[0]?.reads("granted") == true, let left = reply[1]?.integer,
            reply[2]?.integer == 0, let id = reply[3]?.bulk, !id.isEmpty, reply[4]?.bulk != nil
        else { return nil }
        return (left, id)
    }

    /// Reads the script's reply. Throws for error replies and for shapes the script never
    /// returns (which would mean a different script answered).
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

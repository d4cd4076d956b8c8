import ClaimCore

/// The claim script's calling convention: its KEYS and ARGV for a request, and its reply read
/// back as a `ClaimOutcome`. See the header of `Scripts/claim.lua`.
public enum ClaimScript {
    public static func keys(_ r: ClaimRequest) -> [String] {
        let k = PoolKeys(pool: r.segment.storageID)
        return [
            k.window(r.window.id), k.people(r.window.id), k.replays(r.window.id), k.vouchers, k.wallet, k.buyers,
            k.windows,
        ]
    }

    public static func arguments(_ r: ClaimRequest) -> [String] {
        [
            r.segment.storageID, r.window.id, r.person, String(r.pool.limitPerWindow),
            r.pool.bundleFen.map(String.init).joined(separator: ","), String(r.pool.thresholdFen),
            String(r.claimedAt.unixMilliseconds), String(r.expiresAt.unixMilliseconds), r.idempotencyKey ?? "",
            r.pool.autoOpen ? String(r.segment.share(of: r.pool.stockPerRelease)) : "",
            r.pool.eligibility.requiresBuyerList ? "1" : "",
            r.store ?? "",
        ]
    }

    /// `EVALSHA` (or, with `sendSource`, `EVAL` for the NOSCRIPT retry) as RESP arguments.
    public static func command(_ r: ClaimRequest, sendSource: Bool = false) -> [[UInt8]] {
        LuaScript.claim.command(keys: keys(r), arguments: arguments(r), sendSource: sendSource)
    }

    /// Runs one claim on a blocking client (operators' tools and tests; the gateway pipelines).
    public static func run(_ r: ClaimRequest, on client: any RedisCommands) throws(RedisError) -> ClaimOutcome {
        try outcome(client.run(.claim, keys: keys(r), args: arguments(r)), for: r)
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

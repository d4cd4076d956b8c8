import ClaimCore

/// The claim script's calling convention: its KEYS and ARGV for a request, and its reply read
/// back as a `ClaimOutcome`. See the header of `Scripts/claim.lua`.
public enum ClaimScript {
    public static func keys(_ r: ClaimRequest) -> [String] {
        let k = PoolKeys(pool: r.pool.id)
        return [k.window(r.window.id), k.people(r.window.id), k.replays(r.window.id), k.vouchers, k.wallet]
    }

    public static func arguments(_ r: ClaimRequest) -> [String] {
        [
            r.pool.id, r.window.id, r.person, String(r.pool.limitPerWindow), String(r.pool.faceFen),
            String(r.pool.thresholdFen), String(r.claimedAt.unixMilliseconds), String(r.expiresAt.unixMilliseconds),
            r.idempotencyKey ?? "",
        ]
    }

    /// `EVALSHA` (or, with `sendSource`, `EVAL` for the NOSCRIPT retry) as RESP arguments.
    public static func command(_ r: ClaimRequest, sendSource: Bool = false) -> [[UInt8]] {
        let script = LuaScript.claim
        var args: [[UInt8]] =
            sendSource ? [Array("EVAL".utf8), script.source] : [Array("EVALSHA".utf8), Array(script.sha1.utf8)]
        args.append(Array("5".utf8))
        for k in keys(r) { args.append(Array(k.utf8)) }
        for a in arguments(r) { args.append(Array(a.utf8)) }
        return args
    }

    /// Runs one claim on a blocking client (operators' tools and tests; the gateway pipelines).
    public static func run(_ r: ClaimRequest, on client: RedisClient) throws(RedisError) -> ClaimOutcome {
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
        case "not_open": return .notOpen(opensAt: r.window.opensAt)
        case "granted":
            guard items.count == 5, let id = items[1].text, let left = items[2].integer, let record = items[3].text,
                let replayed = items[4].integer,
                let voucher = VoucherRecord.decode(id: id, pool: r.pool.id, record: record)
            else { throw .unexpectedReply("claim granted: \(reply)") }
            return .granted(voucher, left: Int(left), replayed: replayed == 1)
        default:
            throw .unexpectedReply("claim: \(status)")
        }
    }
}

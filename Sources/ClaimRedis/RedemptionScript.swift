import ClaimCore

/// The redeem and reverse scripts' calling conventions (see `Scripts/redeem.lua`,
/// `Scripts/reverse.lua`). Both work on the voucher's own pool keys, so one slot each.
public enum RedemptionScript {
    static func keys(pool: String) -> [String] {
        let k = PoolKeys(pool: pool)
        return [k.vouchers, k.redeemed, k.used, k.orders]
    }

    /// The pool's keys `reverse.lua` also takes, and the payment code's record.
    static func redeemKeys(_ r: RedemptionRequest) -> [String] {
        keys(pool: r.storageID) + [PoolKeys(pool: r.storageID).paymentCode(r.paymentCode)]
    }

    public static func redeemArguments(_ r: RedemptionRequest) -> [String] {
        [
            r.voucherID, r.paymentCode.text, r.merchant, r.order, String(r.amountFen), String(r.now.unixMilliseconds),
            r.pool.useLimitPerProgramme.map(String.init) ?? "",
        ]
    }

    public static func redeemCommand(_ r: RedemptionRequest, sendSource: Bool = false) -> [[UInt8]] {
        LuaScript.redeem.command(keys: redeemKeys(r), arguments: redeemArguments(r), sendSource: sendSource)
    }

    public static func redeem(_ r: RedemptionRequest, on client: any RedisCommands) throws(RedisError)
        -> RedemptionOutcome
    {
        try redemption(client.run(.redeem, keys: redeemKeys(r), args: redeemArguments(r)))
    }

    public static func redemption(_ reply: RedisReply) throws(RedisError) -> RedemptionOutcome {
        guard let items = try reply.orThrow().array, let status = items.first?.text else {
            throw .unexpectedReply("redeem: \(reply)")
        }
        if status == "redeemed" {
            guard items.count == 5, let discount = items[1].integer, let due = items[2].integer,
                let replayed = items[3].integer, let amount = items[4].integer
            else { throw .unexpectedReply("redeem: \(reply)") }
            return .redeemed(
                amountFen: Int(amount), discountFen: Int(discount), dueFen: Int(due), replayed: replayed == 1)
        }
        guard let refusal = RedemptionRefusal(rawValue: status) else { throw .unexpectedReply("redeem: \(status)") }
        return .refused(refusal)
    }

    public static func reverseArguments(voucher: String, merchant: String, order: String, now: Instant) -> [String] {
        [voucher, merchant, order, String(now.unixMilliseconds)]
    }

    public static func reverseCommand(
        pool: String, voucher: String, merchant: String, order: String, now: Instant, sendSource: Bool = false
    ) -> [[UInt8]] {
        LuaScript.reverse.command(
            keys: keys(pool: pool),
            arguments: reverseArguments(voucher: voucher, merchant: merchant, order: order, now: now),
            sendSource: sendSource)
    }

    public static func reverse(
        pool: String, voucher: String, merchant: String, order: String, now: Instant, on client: any RedisCommands
    ) throws(RedisError) -> ReversalOutcome {
        try reversal(
            client.run(
                .reverse, keys: keys(pool: pool),
                args: reverseArguments(voucher: voucher, merchant: merchant, order: order, now: now)))
    }

    public static func reversal(_ reply: RedisReply) throws(RedisError) -> ReversalOutcome {
        guard let items = try reply.orThrow().array, let status = items.first?.text else {
            throw .unexpectedReply("reverse: \(reply)")
        }
        switch status {
        case "reversed": return .reversed(replayed: items.count > 1 && items[1].integer == 1)
        case "unknown_order": return .unknownOrder
        case "expired": return .expired
        default: throw .unexpectedReply("reverse: \(status)")
        }
    }
}

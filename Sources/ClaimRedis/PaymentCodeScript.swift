import ClaimCore

/// `paycode.lua`'s calling convention: a payment code stored beside its voucher, in the
/// voucher's pool slot, for `redeem.lua` to consume.
public enum PaymentCodeScript {
    static func keys(_ r: PaymentCodeRequest, pool: String) -> [String] {
        let k = PoolKeys(pool: pool)
        return [k.vouchers, k.redeemed, k.paymentCode(r.code)]
    }

    static func arguments(_ r: PaymentCodeRequest) -> [String] {
        [
            r.voucherID, r.person, r.merchant ?? "", String(r.now.unixMilliseconds),
            String(r.expiresAt.unixMilliseconds),
            String(PaymentCode.lifetimeMilliseconds + PaymentCode.keptMilliseconds),
        ]
    }

    /// The command for `r`, kept in `pool` (its voucher's storage id).
    public static func command(_ r: PaymentCodeRequest, pool: String, sendSource: Bool = false) -> [[UInt8]] {
        LuaScript.paycode.command(keys: keys(r, pool: pool), arguments: arguments(r), sendSource: sendSource)
    }

    /// Issues `r`'s code on a blocking client (tests, tools). Safe to resend: see the script.
    public static func issue(_ r: PaymentCodeRequest, pool: String, on client: any RedisCommands) throws(RedisError)
        -> PaymentCodeOutcome
    {
        try outcome(client.run(.paycode, keys: keys(r, pool: pool), args: arguments(r), resend: .safe))
    }

    /// The one reader of the script's reply.
    public static func outcome(_ reply: RedisReply) throws(RedisError) -> PaymentCodeOutcome {
        guard let items = try reply.orThrow().array, let status = items.first?.text else {
            throw .unexpectedReply("paycode: \(reply)")
        }
        switch status {
        case "issued": return .issued
        case "code_taken": return .codeTaken
        default:
            guard let refusal = RedemptionRefusal(rawValue: status),
                [.unknownVoucher, .notOwner, .expired, .alreadyUsed].contains(refusal)
            else { throw .unexpectedReply("paycode: \(status)") }
            return .refused(refusal)
        }
    }
}

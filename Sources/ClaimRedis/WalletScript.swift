import ClaimCore

/// The wallet script's calling convention (see `Scripts/wallet.lua`).
public enum WalletScript {
    public static func command(pool: String, person: String, sendSource: Bool = false) -> [[UInt8]] {
        let k = PoolKeys(pool: pool)
        let head: [[UInt8]] =
            sendSource
            ? [Array("EVAL".utf8), LuaScript.wallet.source]
            : [Array("EVALSHA".utf8), Array(LuaScript.wallet.sha1.utf8)]
        return head + [Array("2".utf8), Array(k.wallet.utf8), Array(k.vouchers.utf8), Array(person.utf8)]
    }

    /// The vouchers in the reply; records that do not decode are skipped (and counted).
    public static func vouchers(_ reply: RedisReply, pool: String) throws(RedisError) -> [Voucher] {
        guard let items = try reply.orThrow().array, items.count % 2 == 0 else {
            throw .unexpectedReply("wallet: \(reply)")
        }
        var out: [Voucher] = []
        var i = 0
        while i < items.count {
            if let id = items[i].text, let record = items[i + 1].text,
                let v = VoucherRecord.decode(id: id, pool: pool, record: record)
            {
                out.append(v)
            }
            i += 2
        }
        return out
    }
}

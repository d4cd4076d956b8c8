import ClaimCore

/// The wallet script's calling convention (see `Scripts/wallet.lua`).
public enum WalletScript {
    public static func keys(pool: String) -> [String] {
        let k = PoolKeys(pool: pool)
        return [k.wallet, k.vouchers, k.redeemed]
    }

    public static func command(pool: String, person: String, sendSource: Bool = false) -> [[UInt8]] {
        LuaScript.wallet.command(keys: keys(pool: pool), arguments: [person], sendSource: sendSource)
    }

    /// The person's vouchers in one pool, on a blocking client.
    public static func run(pool: String, person: String, on client: any RedisCommands) throws(RedisError) -> [Voucher] {
        try vouchers(client.run(.wallet, keys: keys(pool: pool), args: [person]), pool: pool)
    }

    /// The person's vouchers in their segment of `pool` (the pool itself when not split).
    public static func run(_ pool: Pool, person: String, on client: any RedisCommands) throws(RedisError) -> [Voucher] {
        let storage = pool.segment(of: person).storageID
        return try vouchers(client.run(.wallet, keys: keys(pool: storage), args: [person]), pool: pool.id)
    }

    /// The vouchers in the reply. A record that does not decode is an error: a wallet must
    /// not silently lose a voucher.
    public static func vouchers(_ reply: RedisReply, pool: String) throws(RedisError) -> [Voucher] {
        guard let items = try reply.orThrow().array, items.count % 3 == 0 else {
            throw .unexpectedReply("wallet: \(reply)")
        }
        var out: [Voucher] = []
        var i = 0
        while i < items.count {
            guard let id = items[i].text, let record = items[i + 1].text,
                let v = VoucherRecord.decode(id: id, pool: pool, record: record, redemption: items[i + 2].text ?? "")
            else { throw .unexpectedReply("wallet entry \(items[i]) has an unreadable record") }
            out.append(v)
            i += 3
        }
        return out
    }
}

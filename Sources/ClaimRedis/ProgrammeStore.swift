import ClaimCore

/// The operator's view of a programme in Redis: which pools are loaded, their settings, their
/// windows and what each holds. Only operators use it, during a live release too: every hash
/// and set is read in steps of `pageSize` (HSCAN, SSCAN), never whole (an HGETALL of a
/// 218,000-voucher hash held Redis for 30 ms). A key of the wrong type is reported by name.
public struct ProgrammeStore {
    public let client: any RedisCommands
    /// Entries asked for per HSCAN/SSCAN step (Redis's COUNT hint).
    public var pageSize: Int

    public init(client: any RedisCommands, pageSize: Int = 1000) {
        self.client = client
        self.pageSize = pageSize
    }

    /// Every field and value of a hash, read in steps.
    public func hashEntries(_ key: String) throws(RedisError) -> [String: String] {
        var out: [String: String] = [:]
        try scan("HSCAN", key) { items in
            var i = 0
            while i + 1 < items.count {
                out[items[i].text ?? ""] = items[i + 1].text ?? ""
                i += 2
            }
        }
        return out
    }

    /// Every member of a set, read in steps.
    public func setMembers(_ key: String) throws(RedisError) -> [String] {
        var out: [String] = []
        try scan("SSCAN", key) { items in out += items.compactMap(\.text) }
        return out
    }

    /// Runs `command key cursor COUNT pageSize` until the cursor comes back to 0. An error reply
    /// (WRONGTYPE) names the key.
    private func scan(_ command: String, _ key: String, _ page: ([RedisReply]) -> Void) throws(RedisError) {
        var cursor = "0"
        repeat {
            let reply = try client.command([command, key, cursor, "COUNT", String(pageSize)], resend: .safe)
            if case .error(let m) = reply { throw .server("\(key): \(m)") }
            guard let parts = reply.array, parts.count == 2, let next = parts[0].text, let items = parts[1].array else {
                throw .unexpectedReply("\(command) \(key): \(reply)")
            }
            page(items)
            cursor = next
        } while cursor != "0"
    }

    /// Writes every pool's settings and the pool index (for a split pool: each segment's, as
    /// its own entry, so stats and the audit check each segment's own books). Rewriting the
    /// same file changes nothing.
    public func load(_ programme: Programme) throws(RedisError) {
        for segment in programme.pools.flatMap(\.segments) {
            let pool = segment.pool
            let k = PoolKeys(pool: segment.storageID)
            // Fixed values: writing them twice changes nothing, so a lost reply may be resent.
            _ = try client.command(
                [
                    "HSET", k.meta, "programme", programme.id, "kind", pool.kind.rawValue, "name", pool.name,
                    "face_fen", String(pool.faceFen), "threshold_fen", String(pool.thresholdFen),
                    "limit_per_window", String(pool.limitPerWindow), "stock_per_release", String(pool.stockPerRelease),
                    "vouchers_per_grant", String(pool.vouchersPerGrant),
                    "use_limit_per_programme", pool.useLimitPerProgramme.map(String.init) ?? "",
                    "pool", pool.id, "segment", String(segment.index), "segments", String(pool.segmentCount),
                ], resend: .safe
            ).orThrow()
            _ = try client.command(["SADD", PoolKeys.poolIndex, segment.storageID], resend: .safe).orThrow()
        }
    }

    /// Storage ids of every loaded pool segment (a pool's own id when it is not split).
    public func pools() throws(RedisError) -> [String] { try setMembers(PoolKeys.poolIndex).sorted() }

    public func meta(pool: String) throws(RedisError) -> [String: String] { try hashEntries(PoolKeys(pool: pool).meta) }

    public func windows(pool: String) throws(RedisError) -> [String] {
        try setMembers(PoolKeys(pool: pool).windows).sorted()
    }

    /// A window's state hash (released, left, granted, quota, opened_at, reset_at, moved_at).
    public func windowState(pool: String, window: String) throws(RedisError) -> [String: String] {
        try hashEntries(PoolKeys(pool: pool).window(window))
    }

    /// released/left/granted of one window, nil if never opened.
    public func counts(pool: String, window: String) throws(RedisError) -> (released: Int, left: Int, granted: Int)? {
        let s = try windowState(pool: pool, window: window)
        guard let r = s["released"].flatMap(Int.init), let l = s["left"].flatMap(Int.init),
            let g = s["granted"].flatMap(Int.init)
        else { return nil }
        return (r, l, g)
    }

    /// Every voucher of the pool, by window.
    public func vouchers(pool: String) throws(RedisError) -> [String: [Voucher]] {
        var out: [String: [Voucher]] = [:]
        for (id, record) in try hashEntries(PoolKeys(pool: pool).vouchers) {
            guard let v = VoucherRecord.decode(id: id, pool: pool, record: record) else {
                throw .unexpectedReply("voucher \(id) has an unreadable record \(record)")
            }
            out[v.window, default: []].append(v)
        }
        return out
    }

    /// Adds people to a pool's buyer list (the housing-fair grant), in batches of 1,000 (each
    /// `buyers.lua` with its own step of `operation`, so a resend counts no one twice);
    /// returns how many were new.
    public func addBuyers(pool: String, people: [String], operation: OperationID = OperationID()) throws(RedisError)
        -> Int
    {
        let k = PoolKeys(pool: pool)
        var added = 0
        var i = 0
        while i < people.count {
            let batch = people[i..<min(i + 1000, people.count)]
            let reply = try client.run(
                .buyers, keys: [k.buyers, k.operations], args: [operation.step(i / 1000).description] + batch,
                resend: .safe)
            guard let n = reply.integer else { throw .unexpectedReply("buyers: \(reply)") }
            added += Int(n)
            i += 1000
        }
        return added
    }

    /// Everything the audit checks about one pool's redemptions.
    public func redemptionSnapshot(pool: String, useLimit: Int?, vouchers: [Voucher]) throws(RedisError)
        -> RedemptionSnapshot
    {
        let k = PoolKeys(pool: pool)
        let redeemed = Array(try hashEntries(k.redeemed).keys)
        let used = try hashEntries(k.used)
        var owners: [String: String] = [:]
        for v in vouchers { owners[v.id] = v.owner }
        return RedemptionSnapshot(
            pool: pool, useLimit: useLimit, voucherOwners: owners, redeemed: Set(redeemed),
            useCounts: used.mapValues { Int($0) ?? -1 }.filter { $0.value != 0 })
    }

    /// Everything the audit checks about one window.
    /// `state`: the window's state hash when the caller has read it already (the audit keeps
    /// it for its checks across segments), so it is not read twice.
    public func snapshot(
        pool: String, window: String, limit: Int, vouchers: [Voucher], vouchersPerGrant: Int = 1,
        state known: [String: String]? = nil
    ) throws(RedisError) -> WindowSnapshot {
        let k = PoolKeys(pool: pool)
        let state: [String: String]
        if let known { state = known } else { state = try hashEntries(k.window(window)) }
        let people = try hashEntries(k.people(window))
        var owners: [String: String] = [:]
        for v in vouchers { owners[v.id] = v.owner }
        return WindowSnapshot(
            pool: pool, window: window, released: Int(state["released"] ?? "") ?? -1,
            left: Int(state["left"] ?? "") ?? -1,
            granted: Int(state["granted"] ?? "") ?? -1, limitPerWindow: limit,
            claimsByPerson: people.mapValues { Int($0) ?? -1 }, voucherOwners: owners,
            vouchersPerGrant: vouchersPerGrant)
    }
}

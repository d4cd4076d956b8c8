import ClaimCore

/// `claimctl audit`: every pool loaded in Redis checked, each segment's own books
/// (`AuditReport`) and, for a pool split into segments, what only the whole pool shows: a
/// window released in some segments only, more released than its quota with no reset or move
/// recorded, a person counted in two segments or over the limit across them, and the
/// programme's use limit across them. Reads in bounded steps (`ProgrammeStore`), so it can run
/// during a release. A key of the wrong type, or a record it cannot read, is a finding that
/// names the key; the other pools are audited all the same. Only a lost connection stops it.
public struct ProgrammeAudit {
    public let store: ProgrammeStore

    public init(client: any RedisCommands, pageSize: Int = 1000) {
        store = ProgrammeStore(client: client, pageSize: pageSize)
    }

    public struct Findings: Hashable, Sendable {
        public var problems: [String] = []
        public var windows = 0
        public var vouchers = 0
        public var redeemed = 0
    }

    /// One segment as loaded (`ProgrammeStore.load`): its storage id and settings.
    private struct Segment {
        let id: String
        let limit: Int
        let perGrant: Int
        let useLimit: Int?
    }

    /// What one segment showed, for the checks across segments.
    private struct SegmentBooks {
        var windows: [String: [String: String]] = [:]
        var claims: [String: [String: Int]] = [:]
        var used: [String: Int] = [:]
    }

    public func run() throws(RedisError) -> Findings {
        var f = Findings()
        var pools: [String: [Segment]] = [:]
        for id in try store.pools() {
            do throws(RedisError) {
                let meta = try store.meta(pool: id)
                guard let limit = meta["limit_per_window"].flatMap(Int.init) else {
                    f.problems.append("\(id): no limit_per_window in its settings (load the programme again)")
                    continue
                }
                let segment = Segment(
                    id: id, limit: limit, perGrant: meta["vouchers_per_grant"].flatMap(Int.init) ?? 1,
                    useLimit: meta["use_limit_per_programme"].flatMap(Int.init))
                pools[meta["pool"] ?? id, default: []].append(segment)
            } catch {
                try Self.finding(error, &f)
            }
        }
        for (pool, segments) in pools.sorted(by: { $0.key < $1.key }) {
            var books: [SegmentBooks] = []
            for s in segments.sorted(by: { $0.id < $1.id }) {
                do throws(RedisError) { books.append(try audit(s, &f)) } catch { try Self.finding(error, &f) }
            }
            if segments.count > 1 {
                f.problems += acrossSegments(pool, books, limit: segments[0].limit, segments[0].useLimit)
            }
        }
        return f
    }

    /// One segment's own books; what it holds, for the checks across segments.
    private func audit(_ s: Segment, _ f: inout Findings) throws(RedisError) -> SegmentBooks {
        var books = SegmentBooks()
        var byWindow = try store.vouchers(pool: s.id)
        let all = byWindow.values.flatMap { $0 }
        for w in try store.windows(pool: s.id) {
            let vouchers = byWindow.removeValue(forKey: w) ?? []
            let state = try store.windowState(pool: s.id, window: w)
            let snapshot = try store.snapshot(
                pool: s.id, window: w, limit: s.limit, vouchers: vouchers, vouchersPerGrant: s.perGrant, state: state)
            f.problems += AuditReport.problems(in: snapshot)
            books.windows[w] = state
            books.claims[w] = snapshot.claimsByPerson
            f.windows += 1
            f.vouchers += vouchers.count
        }
        for (w, vs) in byWindow { f.problems.append("\(s.id) \(w): \(vs.count) vouchers for a window never released") }
        let redemptions = try store.redemptionSnapshot(pool: s.id, useLimit: s.useLimit, vouchers: all)
        f.problems += AuditReport.problems(in: redemptions)
        f.redeemed += redemptions.redeemed.count
        books.used = redemptions.useCounts
        return books
    }

    /// The checks only the whole of a split pool shows.
    private func acrossSegments(_ pool: String, _ books: [SegmentBooks], limit: Int, _ useLimit: Int?) -> [String] {
        var out: [String] = []
        let windows = Set(books.flatMap(\.windows.keys)).sorted()
        for w in windows {
            let states = books.compactMap { $0.windows[w] }
            if states.count != books.count {
                out.append("\(pool) \(w): released in \(states.count) of \(books.count) segments")
            }
            func sum(_ field: String) -> Int { states.reduce(0) { $0 + (Int($1[field] ?? "") ?? 0) } }
            let restocked = states.contains { $0["reset_at"] != nil || $0["moved_at"] != nil }
            if !restocked, sum("released") != sum("quota") {
                out.append(
                    "\(pool) \(w): released \(sum("released")) across segments but their quotas sum to \(sum("quota")), "
                        + "with no reset or move recorded")
            }
            var counts: [String: [Int]] = [:]
            for b in books {
                for (person, n) in b.claims[w] ?? [:] where n > 0 { counts[person, default: []].append(n) }
            }
            for (person, ns) in counts.sorted(by: { $0.key < $1.key }) where ns.count > 1 {
                out.append("\(pool) \(w): \(person) claimed in \(ns.count) segments (a person has one)")
                let total = ns.reduce(0, +)
                if total > limit {
                    out.append("\(pool) \(w): \(person) claimed \(total) across segments, limit \(limit)")
                }
            }
        }
        if let useLimit {
            var used: [String: Int] = [:]
            for b in books { for (person, n) in b.used { used[person, default: 0] += n } }
            for (person, n) in used.sorted(by: { $0.key < $1.key }) where n > useLimit {
                out.append("\(pool): \(person) redeemed \(n) across segments, programme limit \(useLimit)")
            }
        }
        return out
    }

    /// A key's error (WRONGTYPE, an unreadable record) is a finding; a lost connection is not.
    private static func finding(_ error: RedisError, _ f: inout Findings) throws(RedisError) {
        switch error {
        case .server(let m), .unexpectedReply(let m): f.problems.append("cannot read \(m)")
        case .connection, .outcomeUnknown, .misconfigured: throw error
        }
    }
}

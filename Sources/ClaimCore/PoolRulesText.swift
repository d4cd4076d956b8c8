/// A pool's rules in plain words, one line each, for an operator checking a seed before the
/// day (`claimctl check`): what a typo would have switched off shows here as a missing line.
public enum PoolRulesText {
    public static func lines(_ pool: Pool) -> [String] {
        var out: [String] = []
        let faces = pool.bundleFen.map(yuan).joined(separator: " + ")
        out.append(
            "\(pool.kind.rawValue): \(pool.vouchersPerGrant == 1 ? "a voucher of" : "a bundle of") \(faces), "
                + "usable on a bill of at least \(yuan(pool.thresholdFen))")
        switch pool.schedule {
        case .daily(let ranges, let opens, let closes):
            let days = ranges.map { "\($0.first) to \($0.last)" }.joined(separator: ", ")
            out.append("released every day \(days), \(opens) to \(closes); \(pool.stockPerRelease) per day")
        case .periods(let periods, let opens, let closes):
            let list = periods.map { "\($0.id) \($0.first) to \($0.last)" }.joined(separator: ", ")
            out.append(
                "released once per period (\(list)), opening \(opens), closing \(closes); \(pool.stockPerRelease) per period"
            )
        }
        out.append(pool.autoOpen ? "opens by itself at its instant" : "opens only by an operator (claimctl open)")
        out.append("at most \(pool.limitPerWindow) per person per window")
        if let n = pool.useLimitPerProgramme { out.append("at most \(n) used per person over the whole programme") }
        switch pool.validity {
        case .endOfClaimDay: out.append("valid until 24:00 of the claim day")
        case .endOfWeekday(let d): out.append("valid until 24:00 of the first \(weekday(d)) on or after the claim day")
        case .endOf(let date): out.append("valid until \(date) 24:00")
        }
        let e = pool.eligibility
        var who: [String] = []
        if let region = e.region { who.append("located in region \(region)") }
        if e.requiresRealName { who.append("real-name verified") }
        if let card = e.cardPrefix { who.append("paying with a card starting \(card)") }
        if e.individualsOnly { who.append("individual accounts only") }
        if e.requiresBuyerList { who.append("on the buyer list (claimctl grant-list load)") }
        out.append("who may claim: " + (who.isEmpty ? "anyone with a resident token" : who.joined(separator: ", ")))
        if pool.requiresStoreQR { out.append("in store only: a claim carries the store's QR code of the day") }
        out.append("redeemable at: " + pool.merchantCategories.joined(separator: ", "))
        if pool.segmentCount > 1 { out.append("split into \(pool.segmentCount) segments (one hash tag each)") }
        return out
    }

    static func yuan(_ fen: Int) -> String {
        fen % 100 == 0 ? "\(fen / 100) yuan" : "\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100) yuan"
    }

    static func weekday(_ iso: Int) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][max(0, min(6, iso - 1))]
    }
}

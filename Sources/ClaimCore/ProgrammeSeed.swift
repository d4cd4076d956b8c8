import Foundation

/// Reads a programme from its seed file (JSON) and checks every field, so a bad file is
/// refused at load time with the field named, never half-loaded.
public enum ProgrammeSeed {
    /// Decodes and validates a seed file.
    public static func decode(_ bytes: [UInt8]) throws(SeedError) -> Programme {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw SeedError(field: "", problem: "not valid JSON: \(position(of: error, in: bytes))")
        }
        let file: SeedFile
        do {
            file = try JSONDecoder().decode(SeedFile.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw SeedError(field: "", problem: "not a JSON seed file: \(error)")
        }
        // A key no field reads is most likely a misspelt rule: refused, never skipped.
        let unknown = UnknownFields.find(json: json, decoded: file)
        if let first = unknown.first {
            var problem = "unknown field" + (first.nearest.map { " (did you mean \($0)?)" } ?? "")
            if unknown.count > 1 {
                problem += "; also unknown: " + unknown.dropFirst().prefix(5).map(\.path).joined(separator: ", ")
            }
            throw SeedError(field: first.path, problem: problem)
        }
        return try file.validated()
    }

    /// "line L, column C" of the byte offset Foundation names in its error ("around character
    /// N"), counted in the file's lines; Foundation's own words if it names none.
    static func position(of error: Error, in bytes: [UInt8]) -> String {
        let text = "\(error)"
        guard let range = text.range(of: "character "),
            let offset = Int(text[range.upperBound...].prefix(while: \.isNumber)), offset <= bytes.count
        else { return text }
        var line = 1
        var lineStart = 0
        for (i, b) in bytes[..<offset].enumerated() where b == 10 {
            line += 1
            lineStart = i + 1
        }
        return "line \(line), column \(offset - lineStart + 1)"
    }

    private static func describe(_ error: DecodingError) -> SeedError {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for k in keys {
                if let i = k.intValue {
                    out += "[\(i)]"
                } else {
                    out += out.isEmpty ? k.stringValue : ".\(k.stringValue)"
                }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return SeedError(field: path(ctx.codingPath + [key]), problem: "is missing")
        case .typeMismatch(let type, let ctx):
            return SeedError(field: path(ctx.codingPath), problem: "should be \(type)")
        case .valueNotFound(let type, let ctx):
            return SeedError(field: path(ctx.codingPath), problem: "should be \(type), found null")
        case .dataCorrupted(let ctx):
            return SeedError(field: path(ctx.codingPath), problem: ctx.debugDescription)
        @unknown default:
            return SeedError(field: "", problem: "\(error)")
        }
    }
}

// The file's shape. Field names are snake_case, as in the API.
private struct SeedFile: Decodable {
    struct Header: Decodable {
        let id: String
        let name: String
        let utc_offset_minutes: Int
    }
    struct DateRangeSeed: Decodable {
        let first: String
        let last: String
    }
    struct PeriodSeed: Decodable {
        let id: String
        let first: String
        let last: String
    }
    struct ScheduleSeed: Decodable {
        let type: String
        let opens_at: String
        let closes_at: String
        let ranges: [DateRangeSeed]?
        let periods: [PeriodSeed]?
    }
    struct ValiditySeed: Decodable {
        let type: String
        let weekday: Int?
        let date: String?
    }
    struct EligibilitySeed: Decodable {
        let region: String?
        let real_name: Bool?
        let card_prefix: String?
        let individuals_only: Bool?
        let buyer_list: Bool?
    }
    struct PoolSeed: Decodable {
        let id: String
        let kind: String
        let name: String
        let face_fen: Int
        let threshold_fen: Int
        let limit_per_window: Int
        let schedule: ScheduleSeed
        let stock_per_release: Int
        let validity: ValiditySeed
        let eligibility: EligibilitySeed
        let merchant_categories: [String]
        let auto_open: Bool?
        let store_qr: Bool?
        let use_limit_per_programme: Int?
        let bundle_fen: [Int]?
        let segments: Int?
    }
    /// A store, or a merchant category: an id and the name a resident's app shows.
    struct NamedSeed: Decodable {
        let id: String
        let name: String
    }
    let programme: Header
    let pools: [PoolSeed]
    let stores: [NamedSeed]?
    /// Names of the categories pools list; when given, every category a pool lists must be here.
    let merchant_categories: [NamedSeed]?
    /// Why the file says what it says, in words (a list or an object of them): read by people,
    /// never by the loader, so any JSON is taken and nothing in it is checked.
    let choices: Notes?

    enum Notes: Decodable {
        case forPeople
        init(from decoder: Decoder) throws { self = .forPeople }
    }

    func validated() throws(SeedError) -> Programme {
        guard Identifier.isValid(programme.id) else {
            throw SeedError(field: "programme.id", problem: "must be 1-64 characters of [A-Za-z0-9_.-]")
        }
        guard (-14 * 60...14 * 60).contains(programme.utc_offset_minutes) else {
            throw SeedError(field: "programme.utc_offset_minutes", problem: "must be within ±840")
        }
        let calendar = CityCalendar(utcOffsetSeconds: programme.utc_offset_minutes * 60)
        guard !pools.isEmpty else { throw SeedError(field: "pools", problem: "must list at least one pool") }
        let storeNames = try names(stores, at: "stores")
        let categoryNames = try names(merchant_categories, at: "merchant_categories")
        var seen = Set<String>()
        var out: [Pool] = []
        for (i, p) in pools.enumerated() {
            let at = "pools[\(i)]"
            guard Identifier.isValid(p.id) else {
                throw SeedError(field: "\(at).id", problem: "must be 1-64 characters of [A-Za-z0-9_.-]")
            }
            guard seen.insert(p.id).inserted else { throw SeedError(field: "\(at).id", problem: "duplicates \(p.id)") }
            guard let kind = PoolKind(rawValue: p.kind) else {
                throw SeedError(
                    field: "\(at).kind",
                    problem: "must be one of \(PoolKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard p.face_fen > 0 else { throw SeedError(field: "\(at).face_fen", problem: "must be positive") }
            guard p.threshold_fen >= 0 else {
                throw SeedError(field: "\(at).threshold_fen", problem: "must not be negative")
            }
            guard (1...100).contains(p.limit_per_window) else {
                throw SeedError(field: "\(at).limit_per_window", problem: "must be 1...100")
            }
            guard (0...100_000_000).contains(p.stock_per_release) else {
                throw SeedError(field: "\(at).stock_per_release", problem: "must be 0...100000000")
            }
            for (j, c) in p.merchant_categories.enumerated() {
                guard Identifier.isValid(c) else {
                    throw SeedError(field: "\(at).merchant_categories[\(j)]", problem: "must be an identifier")
                }
                if merchant_categories != nil, categoryNames[c] == nil {
                    throw SeedError(
                        field: "\(at).merchant_categories[\(j)]",
                        problem: "\(c) is not in the programme's merchant_categories list")
                }
            }
            if let limit = p.use_limit_per_programme, !(1...1000).contains(limit) {
                throw SeedError(field: "\(at).use_limit_per_programme", problem: "must be 1...1000")
            }
            if let bundle = p.bundle_fen {
                guard (2...10).contains(bundle.count), bundle.allSatisfy({ $0 > 0 }) else {
                    throw SeedError(field: "\(at).bundle_fen", problem: "must list 2...10 positive faces")
                }
                guard bundle.reduce(0, +) == p.face_fen else {
                    throw SeedError(field: "\(at).bundle_fen", problem: "must add up to face_fen")
                }
            }
            if let k = p.segments, !(1...64).contains(k) {
                throw SeedError(field: "\(at).segments", problem: "must be 1...64")
            }
            if p.store_qr == true, (stores ?? []).isEmpty {
                throw SeedError(field: "\(at).store_qr", problem: "needs the programme's stores list")
            }
            out.append(
                Pool(
                    id: p.id, kind: kind, name: p.name, faceFen: p.face_fen, thresholdFen: p.threshold_fen,
                    limitPerWindow: p.limit_per_window, schedule: try schedule(p.schedule, at: "\(at).schedule"),
                    stockPerRelease: p.stock_per_release, validity: try validity(p.validity, at: "\(at).validity"),
                    eligibility: eligibility(p.eligibility), merchantCategories: p.merchant_categories,
                    autoOpen: p.auto_open ?? true, requiresStoreQR: p.store_qr ?? false,
                    useLimitPerProgramme: p.use_limit_per_programme, bundleFen: p.bundle_fen,
                    segmentCount: p.segments ?? 1))
        }
        return Programme(
            id: programme.id, name: programme.name, calendar: calendar, pools: out, storeNames: storeNames,
            categoryNames: categoryNames)
    }

    /// A list of ids and names as a dictionary, each id checked and listed once, each name
    /// non-empty.
    private func names(_ list: [NamedSeed]?, at field: String) throws(SeedError) -> [String: String] {
        var out: [String: String] = [:]
        for (i, item) in (list ?? []).enumerated() {
            guard Identifier.isValid(item.id) else {
                throw SeedError(field: "\(field)[\(i)].id", problem: "must be 1-64 characters of [A-Za-z0-9_.-]")
            }
            guard (1...120).contains(item.name.count) else {
                throw SeedError(field: "\(field)[\(i)].name", problem: "must be 1-120 characters")
            }
            guard out.updateValue(item.name, forKey: item.id) == nil else {
                throw SeedError(field: "\(field)[\(i)].id", problem: "duplicates \(item.id)")
            }
        }
        return out
    }

    private func date(_ text: String, at field: String) throws(SeedError) -> CivilDate {
        guard let d = CivilDate(text) else { throw SeedError(field: field, problem: "must be a date YYYY-MM-DD") }
        return d
    }

    private func range(_ first: String, _ last: String, at field: String) throws(SeedError) -> DateRange {
        let f = try date(first, at: "\(field).first")
        let l = try date(last, at: "\(field).last")
        guard let r = DateRange(first: f, last: l) else {
            throw SeedError(field: "\(field).last", problem: "is before first")
        }
        return r
    }

    private func schedule(_ s: ScheduleSeed, at field: String) throws(SeedError) -> ReleaseSchedule {
        guard let opens = TimeOfDay(s.opens_at), opens < .endOfDay else {
            throw SeedError(field: "\(field).opens_at", problem: "must be a time HH:MM before 24:00")
        }
        guard let closes = TimeOfDay(s.closes_at) else {
            throw SeedError(field: "\(field).closes_at", problem: "must be a time HH:MM (24:00 allowed)")
        }
        switch s.type {
        case "daily":
            guard opens < closes else {
                throw SeedError(field: "\(field).closes_at", problem: "must be after opens_at")
            }
            guard let ranges = s.ranges, !ranges.isEmpty else {
                throw SeedError(field: "\(field).ranges", problem: "a daily schedule needs at least one range")
            }
            var out: [DateRange] = []
            for (i, r) in ranges.enumerated() {
                let dr = try range(r.first, r.last, at: "\(field).ranges[\(i)]")
                if let prev = out.last, dr.first <= prev.last {
                    throw SeedError(field: "\(field).ranges[\(i)]", problem: "overlaps or precedes the range before it")
                }
                out.append(dr)
            }
            return .daily(ranges: out, opensAt: opens, closesAt: closes)
        case "periods":
            guard let periods = s.periods, !periods.isEmpty else {
                throw SeedError(field: "\(field).periods", problem: "a period schedule needs at least one period")
            }
            var out: [Period] = []
            for (i, p) in periods.enumerated() {
                let at = "\(field).periods[\(i)]"
                guard Identifier.isValid(p.id), CivilDate(p.id) == nil else {
                    throw SeedError(field: "\(at).id", problem: "must be an identifier that is not a date")
                }
                let dr = try range(p.first, p.last, at: at)
                if dr.first == dr.last, closes <= opens {
                    throw SeedError(field: "\(field).closes_at", problem: "must be after opens_at")
                }
                if let prev = out.last, dr.first <= prev.last {
                    throw SeedError(field: at, problem: "overlaps or precedes the period before it")
                }
                if out.contains(where: { $0.id == p.id }) {
                    throw SeedError(field: "\(at).id", problem: "duplicates \(p.id)")
                }
                out.append(Period(id: p.id, days: dr))
            }
            return .periods(out, opensAt: opens, closesAt: closes)
        default:
            throw SeedError(field: "\(field).type", problem: "must be daily or periods")
        }
    }

    private func validity(_ v: ValiditySeed, at field: String) throws(SeedError) -> ValidityRule {
        switch v.type {
        case "end_of_claim_day":
            return .endOfClaimDay
        case "end_of_weekday":
            guard let w = v.weekday, (1...7).contains(w) else {
                throw SeedError(field: "\(field).weekday", problem: "must be 1 (Monday) ... 7 (Sunday)")
            }
            return .endOfWeekday(w)
        case "end_of":
            return .endOf(try date(v.date ?? "", at: "\(field).date"))
        default:
            throw SeedError(field: "\(field).type", problem: "must be end_of_claim_day, end_of_weekday or end_of")
        }
    }

    private func eligibility(_ e: EligibilitySeed) -> EligibilityRule {
        EligibilityRule(
            region: e.region, requiresRealName: e.real_name ?? false, cardPrefix: e.card_prefix,
            individualsOnly: e.individuals_only ?? false, requiresBuyerList: e.buyer_list ?? false)
    }
}

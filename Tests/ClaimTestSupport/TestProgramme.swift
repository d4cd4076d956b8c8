import ClaimCore
import Foundation

/// Programmes and pools for tests, each with a unique pool id so tests can share one Redis
/// and run in parallel without seeing each other's keys.
public enum TestProgramme {
    /// A unique identifier such as `t-appliance-3f9a1c`.
    public static func uniqueID(_ prefix: String) -> String {
        "t-\(prefix)-\(UInt32.random(in: 0...UInt32.max))-\(UInt16.random(in: 0...UInt16.max))"
    }

    public static let calendar = CityCalendar.shenyang

    /// 2022-06-10 10:00:00.000 in the city.
    public static let releaseInstant = calendar.instant(
        on: CivilDate(year: 2022, month: 6, day: 10)!, at: TimeOfDay(hour: 10, minute: 0)!)

    /// An appliance-like pool: daily windows June 10-30 at 10:00, `stock` per day, limit 1.
    public static func dailyPool(
        id: String = uniqueID("daily"), stock: Int, limit: Int = 1, autoOpen: Bool = false, storeQR: Bool = false,
        useLimit: Int? = nil, bundle: [Int]? = nil, segments: Int = 1
    ) -> Pool {
        let d = DateRange(
            first: CivilDate(year: 2022, month: 6, day: 10)!, last: CivilDate(year: 2022, month: 6, day: 30)!)!
        return Pool(
            id: id, kind: .appliance, name: "test \(id)", faceFen: 50000, thresholdFen: 500000, limitPerWindow: limit,
            schedule: .daily(ranges: [d], opensAt: TimeOfDay(hour: 10, minute: 0)!, closesAt: .endOfDay),
            stockPerRelease: stock,
            validity: .endOfClaimDay,
            eligibility: EligibilityRule(region: "210100", requiresRealName: true, cardPrefix: "62"),
            merchantCategories: ["appliance-telecom-electronics"], autoOpen: autoOpen, requiresStoreQR: storeQR,
            useLimitPerProgramme: useLimit, bundleFen: bundle, segmentCount: segments)
    }

    public static func programme(_ pools: [Pool]) -> Programme {
        Programme(
            id: "test", name: "test programme", calendar: calendar, pools: pools,
            storeNames: ["store-1": "Store One, Test Street", "store-2": "Store Two"],
            categoryNames: ["appliance-telecom-electronics": "Appliances, telecom and electronics"])
    }

    public static let resident = EligibilityFacts(
        region: "210100", realName: true, cardPrefix: "62", account: .individual)

    /// The repository's seed file, found from this source file's location.
    public static func seedFileBytes(_ file: StaticString = #filePath) -> [UInt8]? {
        var url = URL(fileURLWithPath: "\(file)")
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("seeds/shenyang-2022.json")
            if let d = FileManager.default.contents(atPath: candidate.path) { return Array(d) }
        }
        return nil
    }
}

/// A programme clock a test moves by hand (a window's opening, its closing).
public final class SettableClock: ClaimClock, @unchecked Sendable {
    // @unchecked: `instant` is only touched under `lock`.
    private let lock = NSLock()
    private var instant: Instant

    public init(_ instant: Instant) { self.instant = instant }

    public func now() -> Instant { lock.withLock { instant } }

    public func set(_ to: Instant) { lock.withLock { instant = to } }
}

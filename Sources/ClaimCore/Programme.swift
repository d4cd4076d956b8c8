/// A voucher programme: its pools and the city clock they run on.
public struct Programme: Sendable {
    public let id: String
    public let name: String
    public let calendar: CityCalendar
    /// In seed order.
    public let pools: [Pool]
    /// Participating stores (ids) whose QR codes hand out in-store vouchers.
    public let stores: Set<String>
    /// What a resident's app shows for a store id, from the seed's `stores`.
    public let storeNames: [String: String]
    /// What a resident's app shows for a merchant category id, from the seed's
    /// `merchant_categories` (a category the seed does not name is shown by its id).
    public let categoryNames: [String: String]
    private let index: [String: Int]

    public init(
        id: String, name: String, calendar: CityCalendar, pools: [Pool], stores: Set<String> = [],
        storeNames: [String: String] = [:], categoryNames: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.calendar = calendar
        self.pools = pools
        self.stores = stores.union(storeNames.keys)
        self.storeNames = storeNames
        self.categoryNames = categoryNames
        var index: [String: Int] = [:]
        for (i, p) in pools.enumerated() { index[p.id] = i }
        self.index = index
    }

    public func pool(id: String) -> Pool? { index[id].map { pools[$0] } }

    /// The name of merchant category `id`, or the id itself when the seed gives none.
    public func categoryName(_ id: String) -> String { categoryNames[id] ?? id }

    /// The name of store `id`, or the id itself when the seed gives none.
    public func storeName(_ id: String) -> String { storeNames[id] ?? id }

    /// The segment a storage id names (`appliance-500`, or `national-30.s2` for a split pool).
    public func segment(storageID id: String) -> PoolSegment? {
        if let p = pool(id: id) { return p.segmentCount == 1 ? PoolSegment(pool: p, index: 0) : nil }
        guard let dot = id.lastIndex(of: "."), id[id.index(after: dot)...].hasPrefix("s"),
            let k = Int(id[id.index(dot, offsetBy: 2)...]), let p = pool(id: String(id[..<dot])),
            (0..<p.segmentCount).contains(k), PoolSegment(pool: p, index: k).storageID == id
        else { return nil }
        return PoolSegment(pool: p, index: k)
    }

    /// The pool's position in `pools` (stable for the programme's life).
    public func poolIndex(id: String) -> Int? { index[id] }

    /// Where `instant` falls in `pool`'s schedule.
    public func position(of pool: Pool, at instant: Instant) -> SchedulePosition {
        pool.schedule.position(at: instant, in: calendar)
    }
}

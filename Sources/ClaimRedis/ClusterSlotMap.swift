/// Which master serves each of the 16384 slots, from `CLUSTER SLOTS`. A lookup is one array
/// read; the map is rebuilt when a MOVED reply says it is stale.
public struct ClusterSlotMap: Hashable, Sendable {
    /// The masters, in the order of their first slot range.
    public let masters: [RedisEndpoint]
    /// Index into `masters` for every slot; `UInt16.max` for a slot no node serves.
    private let owner: [UInt16]

    public init(masters: [RedisEndpoint], ranges: [(ClosedRange<Int>, Int)]) {
        self.masters = masters
        var owner = [UInt16](repeating: .max, count: HashSlot.count)
        for (range, master) in ranges {
            for slot in range where slot >= 0 && slot < HashSlot.count { owner[slot] = UInt16(master) }
        }
        self.owner = owner
    }

    /// Reads a `CLUSTER SLOTS` reply. Node addresses come as announced; an empty host means
    /// "the node you asked", `seed`. Credentials and database are the seed's.
    public init(clusterSlots reply: RedisReply, seed: RedisEndpoint) throws(RedisError) {
        guard let entries = reply.array else { throw .unexpectedReply("CLUSTER SLOTS: \(reply)") }
        var masters: [RedisEndpoint] = []
        var ranges: [(ClosedRange<Int>, Int)] = []
        for entry in entries {
            guard let fields = entry.array, fields.count >= 3, let lo = fields[0].integer, let hi = fields[1].integer,
                lo >= 0, hi >= lo, hi < HashSlot.count, let node = fields[2].array, node.count >= 2,
                let host = node[0].text, let port = node[1].integer, (1...65535).contains(port)
            else { throw .unexpectedReply("CLUSTER SLOTS entry: \(entry)") }
            let endpoint = RedisEndpoint(
                host: host.isEmpty ? seed.host : host, port: Int(port), database: 0, username: seed.username,
                password: seed.password)
            let index: Int
            if let i = masters.firstIndex(of: endpoint) {
                index = i
            } else {
                index = masters.count
                masters.append(endpoint)
            }
            ranges.append((Int(lo)...Int(hi), index))
        }
        guard !masters.isEmpty else { throw .unexpectedReply("CLUSTER SLOTS: no slots served") }
        self.init(masters: masters, ranges: ranges)
    }

    /// The index of the master serving `slot`, nil if none does.
    public func master(ofSlot slot: Int) -> Int? {
        guard slot >= 0, slot < owner.count, owner[slot] != .max else { return nil }
        return Int(owner[slot])
    }

    /// The slot numbers `master` serves.
    public func slots(of master: Int) -> [Int] { owner.indices.filter { Int(owner[$0]) == master } }
}

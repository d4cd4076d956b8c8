import ClaimCore

/// Pool ids by their bytes: a request path names its pool without building a String or hashing
/// one with SipHash. FNV-1a picks a slot in a small open-addressed table, and one byte
/// comparison confirms it. Built once per loop; read-only after.
public struct PoolDirectory: Sendable {
    private let ids: [[UInt8]]
    /// Pool index + 1 per slot (0: empty); the size is a power of two, at least twice the pools.
    private let slots: [Int]
    private let mask: Int

    public init(ids: [String]) {
        self.ids = ids.map { Array($0.utf8) }
        var size = 8
        while size < ids.count * 2 { size *= 2 }
        var slots = [Int](repeating: 0, count: size)
        for (i, id) in self.ids.enumerated() {
            var s = id.withUnsafeBytes { Self.hash($0) } & (size - 1)
            while slots[s] != 0 { s = (s + 1) & (size - 1) }
            slots[s] = i + 1
        }
        self.slots = slots
        mask = size - 1
    }

    /// The index of the pool whose id is exactly `id`, nil if none.
    public func index(of id: UnsafeRawBufferPointer) -> Int? {
        var s = Self.hash(id) & mask
        while true {
            let entry = slots[s]
            if entry == 0 { return nil }
            if ids[entry - 1].withUnsafeBytes({ ByteMatch.equal($0, id) }) { return entry - 1 }
            s = (s + 1) & mask
        }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        Int(truncatingIfNeeded: FNV1a.hash(bytes) >> 1)
    }
}

/// Redis Cluster's key-to-slot function: CRC16 (XMODEM) of the key, or of its hash tag (the
/// bytes between the first `{` and the next `}`, if not empty), modulo 16384. Every key of a
/// pool carries the pool's tag (`cg:{pool}:...`), so a pool lives in one slot.
public enum HashSlot {
    public static let count = 16384

    public static func of<C: Collection>(_ key: C) -> Int where C.Element == UInt8 {
        let bytes = Array(key)
        var tagged = bytes[...]
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            tagged = bytes[(open + 1)..<close]
        }
        return Int(crc16(tagged)) & (count - 1)
    }

    public static func of(_ key: String) -> Int { of(key.utf8) }

    private static let table: [UInt16] = (0..<256).map { i -> UInt16 in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }

    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes { crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(b))] }
        return crc
    }
}

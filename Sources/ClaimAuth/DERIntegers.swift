/// Reads a DER `SEQUENCE` of `INTEGER`s (an RSA private key in PKCS#1, RFC 8017 A.1.2) into the
/// integers' big-endian magnitudes, so a private key swift-crypto wrote can be written out as a
/// JWK. Bounded: at most 16 integers of at most 1,024 bytes each; anything else is nil.
enum DERIntegers {
    static func read(_ der: [UInt8]) -> [[UInt8]]? {
        var i = 0
        func length() -> Int? {
            guard i < der.count else { return nil }
            let first = der[i]
            i += 1
            if first < 0x80 { return Int(first) }
            let n = Int(first & 0x7f)
            guard (1...2).contains(n), i + n <= der.count else { return nil }
            var value = 0
            for _ in 0..<n {
                value = value << 8 | Int(der[i])
                i += 1
            }
            return value
        }
        guard der.first == 0x30 else { return nil }
        i = 1
        guard let total = length(), i + total == der.count else { return nil }
        var integers: [[UInt8]] = []
        while i < der.count {
            guard integers.count < 16, der[i] == 0x02 else { return nil }
            i += 1
            guard let n = length(), (1...1024).contains(n), i + n <= der.count else { return nil }
            var value = Array(der[i..<(i + n)])
            i += n
            // A positive INTEGER carries a leading zero when its top bit is set.
            while value.count > 1, value[0] == 0 { value.removeFirst() }
            integers.append(value)
        }
        return integers
    }
}

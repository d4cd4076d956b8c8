import CSHA256

/// HMAC-SHA-256 under one key whose pads are absorbed once (`CSHA256`): a token's check costs
/// its own blocks and nothing else, with the code on the caller's stack. swift-crypto's HMAC,
/// which it replaces on the claim path, copied its digest state into two heap objects per
/// token. Tokens are still signed with swift-crypto (`TokenSigner`); the tests check both agree.
public struct HMACSHA256: Sendable {
    private let key: cg_hmac_sha256_key

    public init(key: [UInt8]) {
        var k = cg_hmac_sha256_key()
        key.withUnsafeBufferPointer { cg_hmac_sha256_init(&k, $0.baseAddress, $0.count) }
        self.key = k
    }

    /// Lends the 32-byte code of `message` to `body`; it lives only for that call.
    public func withCode<T>(for message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            withUnsafePointer(to: key) { k in
                cg_hmac_sha256(
                    k, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count, out.baseAddress)
            }
            return body(UnsafeRawBufferPointer(out))
        }
    }

    /// The code of `message`, as bytes.
    public func code(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in withCode(for: m) { Array($0) } }
    }

    /// SHA-256 of `message` (the same block function; for tests and long keys).
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { cg_sha256(m.baseAddress, m.count, $0.baseAddress) }
        }
        return out
    }

    /// Uses the CPU's SHA extensions if `allowed` and present, else portable C; whether they
    /// are used. Both give the same codes (tested); process-wide.
    @discardableResult
    public static func useHardware(_ allowed: Bool) -> Bool { cg_sha256_use_hardware(allowed ? 1 : 0) != 0 }
}

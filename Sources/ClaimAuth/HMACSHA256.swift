import Crypto

/// HMAC-SHA-256 under one key, from swift-crypto, with the key's pads absorbed once: each code
/// starts from a copy of the prepared state. Used for development HS256 tokens (`--dev-hs256`)
/// and the stores' QR codes; resident tokens are public-key tokens. (A hand-written SHA-256
/// with the CPU's SHA extensions used to stand here, to save the two heap objects swift-crypto's
/// state copy costs per token; with HS256 off the claim path, that is no longer worth its own
/// crypto code.)
public struct HMACSHA256 {
    private let prepared: HMAC<SHA256>

    public init(key: [UInt8]) { prepared = HMAC<SHA256>(key: SymmetricKey(data: key)) }

    /// True when `code` is the code of `message`, compared in constant time (swift-crypto's
    /// comparison of a code with bytes).
    public func isValid(_ code: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        var h = prepared
        h.update(data: message)
        return h.finalize() == code
    }

    /// The code of `message`, as bytes.
    public func code(for message: [UInt8]) -> [UInt8] {
        var h = prepared
        h.update(data: message)
        return Array(h.finalize())
    }
}

import ClaimCore

/// Reads the store QR codes in-store claims carry, for one event loop.
///
/// A store shows one code a day and every resident who claims there scans that same code, so
/// each genuine code is verified once against the operators' keys and then remembered: a claim
/// costs a dictionary lookup on the whole code's bytes, not a signature check (38 us of a core
/// for ES256; RESULTS.md). Only genuine codes are remembered, compared on every byte, so a code
/// that was not verified is never accepted; a forged one costs a verification each time, and
/// only after its sender's own token and rate limit passed. Bounded: when `capacity` codes are
/// held the memory starts again (a day's codes are one per store, a few thousand). Not shared,
/// no locks.
public final class StoreQRCodeReader {
    private let verifier: TokenVerifier?
    private var genuine: [[UInt8]: StoreVisit] = [:]
    public let capacity: Int

    /// Checks codes against `keys` (the operators' public keys); nil: no keys, every code is
    /// invalid.
    public init(keys: TokenKeySet?, capacity: Int = 4096) {
        verifier = keys.map { TokenVerifier(keys: $0) }
        self.capacity = max(1, capacity)
    }

    /// Codes remembered as genuine.
    public var remembered: Int { genuine.count }

    /// What a claim's `store_qr` says: `.none` without one, `.scanned` for a genuine code,
    /// `.invalid` for anything else.
    public func visit(_ code: [UInt8]?) -> StoreVisit {
        guard let code else { return .none }
        if let known = genuine[code] { return known }
        let visit = StoreQRCode.visit(code, verifier: verifier)
        guard case .scanned = visit else { return visit }
        if genuine.count >= capacity { genuine.removeAll(keepingCapacity: true) }
        genuine[code] = visit
        return visit
    }
}

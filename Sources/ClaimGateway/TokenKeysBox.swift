import ClaimAuth
import ClaimPOSIX
import Synchronization

/// The keys every loop verifies with, replaced while they serve: the identity provider's token
/// keys and the operators' store QR keys. The command's main thread publishes a reloaded JWKS
/// here, and each loop, woken through its own eventfd, takes the new keys between two requests
/// (`Gatekeeper.replaceKeys`, `ClaimEndpoint.replaceStoreQRKeys`). Each set has its own
/// generation, so a loop replaces only what changed (new token keys empty the loop's cache of
/// verified tokens; new store QR keys only its remembered codes). No connection is dropped and
/// no lock is taken on the claim path: the mutex is touched only at a reload and when a loop
/// starts or stops.
public final class TokenKeysBox: Sendable {
    /// The keys now, each set with its generation (it grows with each publish of that set).
    public struct Keys: Sendable {
        public var tokens: TokenKeySet
        public var tokensGeneration = 0
        public var storeQR: TokenKeySet?
        public var storeQRGeneration = 0
    }

    private struct State {
        var keys: Keys
        var loops: [ObjectIdentifier: WakeupSignal] = [:]
    }
    private let state: Mutex<State>

    public init(_ keys: TokenKeySet, storeQR: TokenKeySet? = nil) {
        state = Mutex(State(keys: Keys(tokens: keys, storeQR: storeQR)))
    }

    public var current: Keys { state.withLock { $0.keys } }

    /// Replaces the token keys and wakes every loop to take them.
    public func publish(_ keys: TokenKeySet) {
        update {
            $0.tokens = keys
            $0.tokensGeneration += 1
        }
    }

    /// Replaces the store QR keys and wakes every loop to take them.
    public func publish(storeQR keys: TokenKeySet) {
        update {
            $0.storeQR = keys
            $0.storeQRGeneration += 1
        }
    }

    private func update(_ change: (inout Keys) -> Void) {
        let loops = state.withLock { s in
            change(&s.keys)
            return Array(s.loops.values)
        }
        for w in loops { w.fire() }
    }

    /// A loop's wakeup, fired at each publish until it leaves.
    func join(_ wakeup: WakeupSignal) { state.withLock { $0.loops[ObjectIdentifier(wakeup)] = wakeup } }

    func leave(_ wakeup: WakeupSignal) { state.withLock { _ = $0.loops.removeValue(forKey: ObjectIdentifier(wakeup)) } }
}

import ClaimAuth
import ClaimPOSIX
import Synchronization

/// The token keys every loop verifies with, replaced while they serve: the command's main
/// thread publishes a reloaded JWKS here, and each loop, woken through its own eventfd, takes
/// the new keys between two requests (`Gatekeeper.replaceKeys`). No connection is dropped and
/// no lock is taken on the claim path: the mutex is touched only at a reload and when a loop
/// starts or stops.
public final class TokenKeysBox: Sendable {
    private struct State {
        var generation = 0
        var keys: TokenKeySet
        var loops: [ObjectIdentifier: WakeupSignal] = [:]
    }
    private let state: Mutex<State>

    public init(_ keys: TokenKeySet) { state = Mutex(State(keys: keys)) }

    /// The keys now, and their generation (it grows with each publish).
    public var current: (generation: Int, keys: TokenKeySet) { state.withLock { ($0.generation, $0.keys) } }

    /// Replaces the keys and wakes every loop to take them.
    public func publish(_ keys: TokenKeySet) {
        let loops = state.withLock { s -> [WakeupSignal] in
            s.generation += 1
            s.keys = keys
            return Array(s.loops.values)
        }
        for w in loops { w.fire() }
    }

    /// A loop's wakeup, fired at each publish until it leaves.
    func join(_ wakeup: WakeupSignal) { state.withLock { $0.loops[ObjectIdentifier(wakeup)] = wakeup } }

    func leave(_ wakeup: WakeupSignal) { state.withLock { _ = $0.loops.removeValue(forKey: ObjectIdentifier(wakeup)) } }
}

import ClaimCore

/// Resident tokens this loop has verified, so a resident retrying in the first seconds of a
/// release costs a SHA-256 instead of a curve operation (ES256 or EdDSA verification is some
/// fifty times the work; RESULTS.md).
///
/// Keyed by the SHA-256 of the whole token and compared on all 32 bytes, so an entry answers
/// only the very token that was verified: a token that was not verified cannot be accepted
/// short of a SHA-256 collision. Holds the token's claims with its expiry, and the lifetime is
/// checked again on every hit. Bounded: a fixed number of slots in sets of four picked by the
/// digest; a new token takes an empty slot of its set, else an expired one's, else the one that
/// expires first, so memory never grows with the crowd. One loop's: not shared, no locks. A key
/// reload builds a new verifier and a new cache, so a removed key's tokens are refused at once.
public final class VerifiedTokenCache {
    private struct Entry {
        var digest: TokenDigest
        var token: PersonToken
        /// Kept for another loop (`keepShared`) and not asked for here yet: the first to go when
        /// a set is full, and never in place of one of this loop's own.
        var shared = false
    }

    private var slots: [Entry?]
    private let mask: Int
    public private(set) var hits = 0
    public private(set) var misses = 0

    /// Slots per set: a token competes only with the three others of its set.
    static let ways = 4

    /// A cache of `capacity` slots, rounded up to a power of two of at least one set (0: caches
    /// nothing).
    public init(capacity: Int) {
        let size =
            capacity <= 0 ? 0 : 1 << (Int.bitWidth - (max(capacity, Self.ways) - 1).leadingZeroBitCount)
        slots = Array(repeating: nil, count: size)
        mask = size - Self.ways
    }

    public var capacity: Int { slots.count }

    /// `token` verified by `verifier` at `now`, from the cache when it was verified before.
    public func verify(_ token: UnsafeRawBufferPointer, now: Instant, with verifier: TokenVerifier) -> Result<
        PersonToken, TokenError
    > {
        var fresh: VerifiedToken?
        return verify(token, now: now, with: verifier, fresh: &fresh)
    }

    /// The same; `fresh` is the token when it was verified now and kept (not found here), for
    /// the other loops' caches (`VerifiedToken`: only a verification makes one).
    public func verify(
        _ token: UnsafeRawBufferPointer, now: Instant, with verifier: TokenVerifier, fresh: inout VerifiedToken?
    ) -> Result<PersonToken, TokenError> {
        guard !slots.isEmpty, token.count <= TokenVerifier.maxTokenBytes else {
            return verifier.verify(token, now: now)
        }
        let digest = TokenDigest(of: token)
        let set = set(of: digest)
        if let (slot, held) = find(digest, in: set) {
            // Verified before: only its lifetime can have changed.
            if let problem = verifier.lifetimeProblem(held, now: now) {
                slots[slot] = nil
                return .failure(problem)
            }
            hits += 1
            // A shared token this loop's own resident asked for is its own now.
            if slots[slot]?.shared == true { slots[slot]?.shared = false }
            return .success(held)
        }
        misses += 1
        let result = verifier.verify(token, now: now)
        if case .success(let t) = result, let slot = victim(in: set, now: now, shared: false) {
            slots[slot] = Entry(digest: digest, token: t)
            fresh = VerifiedToken(digest: digest, token: t)
        }
        return result
    }

    /// Whether the token of `digest` is held (verified before; its lifetime is not looked at).
    public func holds(_ digest: TokenDigest) -> Bool {
        !slots.isEmpty && find(digest, in: set(of: digest)) != nil
    }

    /// Keeps a token verified elsewhere (`VerifiedToken`: a resident who tapped before the
    /// opening, or at another loop), unless it is held already or no longer alive at `now`;
    /// whether it was kept. Counts no hit or miss: no request asked. Keeps a copy in this loop's
    /// memory: `verified` was made on another thread, and freeing its text here, when the entry
    /// is evicted, could wait on that thread's malloc arena (the maker frees it itself).
    @discardableResult
    public func keep(_ verified: VerifiedToken, now: Instant) -> Bool { keep(verified, now: now, shared: false) }

    /// The same for a token another loop verified for its own resident, who may never tap here:
    /// it takes a slot that is empty, expired or another shared token's, never one this loop's
    /// residents use (with sticky connections, shares would otherwise push out a crowd's tokens
    /// verified ahead of an opening, to be verified again in its busiest second).
    @discardableResult
    public func keepShared(_ verified: VerifiedToken, now: Instant) -> Bool { keep(verified, now: now, shared: true) }

    private func keep(_ verified: VerifiedToken, now: Instant, shared: Bool) -> Bool {
        guard !slots.isEmpty, verified.token.expiresAt > now else { return false }
        let set = set(of: verified.digest)
        guard find(verified.digest, in: set) == nil, let slot = victim(in: set, now: now, shared: shared) else {
            return false
        }
        slots[slot] = Entry(digest: verified.digest, token: verified.token.ownCopy(), shared: shared)
        return true
    }

    private func set(of digest: TokenDigest) -> Int { Int(truncatingIfNeeded: digest.words.0) & mask }

    /// The slot of `set` holding `digest`, and its token.
    private func find(_ digest: TokenDigest, in set: Int) -> (Int, PersonToken)? {
        for slot in set..<(set + Self.ways) {
            if let e = slots[slot], e.digest == digest { return (slot, e.token) }
        }
        return nil
    }

    /// The slot of `set` a new entry takes: an empty one, else an expired one's, else the shared
    /// one whose token expires first, else (for one of this loop's own, not a `shared` one) the
    /// one whose token expires first; nil if a shared one finds no room.
    private func victim(in set: Int, now: Instant, shared: Bool) -> Int? {
        var best: Int?
        var bestShared: Int?
        for slot in set..<(set + Self.ways) {
            guard let e = slots[slot] else { return slot }
            if e.token.expiresAt <= now { return slot }
            if e.shared, bestShared.map({ e.token.expiresAt < (slots[$0]?.token.expiresAt ?? now) }) ?? true {
                bestShared = slot
            }
            if best.map({ e.token.expiresAt < (slots[$0]?.token.expiresAt ?? now) }) ?? true { best = slot }
        }
        return bestShared ?? (shared ? nil : best)
    }
}

/// Which tokens were seen lately, by digest: a table of fixed size where each digest has one
/// place (a newer token taking that place forgets the older). The gateway verifies a token
/// ahead of the opening only when its resident taps a second time: whoever taps twice before
/// 10:00 taps again at 10:00, while a crowd of one-off taps would have the thread verifying
/// tokens nobody sends again. Nothing here is trusted: forgetting costs only a check at the
/// claim. One loop's.
public struct TokenSightings {
    private var words: [UInt64]
    private let mask: Int

    /// A table of `capacity` places, rounded up to a power of two (0: remembers nothing).
    public init(capacity: Int) {
        let size = capacity <= 0 ? 0 : 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount)
        words = [UInt64](repeating: 0, count: size)
        mask = size &- 1
    }

    /// Whether `digest` was seen before (and is still remembered); remembers it from now on.
    public mutating func sawBefore(_ digest: TokenDigest) -> Bool {
        guard !words.isEmpty else { return false }
        let place = Int(truncatingIfNeeded: digest.words.0) & mask
        // A second word of the digest tells two tokens of one place apart; a zero is an empty place.
        let mark = digest.words.1 | 1
        if words[place] == mark { return true }
        words[place] = mark
        return false
    }
}

/// One request answered by several Redis calls (a wallet: one per pool; a split pool's
/// progress: one per segment): counts the parts in and says when to answer, exactly once,
/// after the last reply, or at the first failure.
struct PartsAnswer {
    private(set) var remaining: Int
    private var answered = false

    init(parts: Int) { remaining = parts }

    /// A part's reply is in: true when it was the last and nothing was answered yet.
    mutating func replied() -> Bool {
        remaining -= 1
        guard remaining == 0, !answered else { return false }
        answered = true
        return true
    }

    /// A part failed: true when this failure is what to answer (nothing was answered yet).
    mutating func failed() -> Bool {
        remaining -= 1
        guard !answered else { return false }
        answered = true
        return true
    }
}

import ClaimCore

/// A window Redis has answered `sold_out` for. While marked, claims without an
/// `Idempotency-Key` are answered `sold_out` by the gateway itself, with no Redis round trip;
/// every `soldOutRecheckMilliseconds` the loop asks Redis whether an operator restocked it
/// (`claimctl reset`) and drops the mark if so, and a mark goes when its window closes.
/// A split pool is marked per segment; the gateway answers for the whole pool before
/// authentication only when every segment is marked.
struct SoldOutMark {
    let segment: PoolSegment
    let poolIndex: Int
    let window: ReleaseWindow
}

/// One pool segment's window, as a dictionary key that costs no string building per claim.
struct WindowKey: Hashable {
    let poolIndex: Int
    let segment: Int
    let window: String
}

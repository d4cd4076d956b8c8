/// Tokens heard before they were needed (a resident tapping before 10:00 is answered `not_open`
/// before the token is read), kept until a thread beside the loop verifies them
/// (`TokenCheckWorker`), so the same resident's tap at the opening finds the token in the loop's
/// `VerifiedTokenCache`.
///
/// A ring of bytes of a fixed size, each token stored as a two-byte length and its bytes: a token
/// is copied in and read out in place, with no allocation per token, and the memory is what the
/// owner gave. Full, it refuses the newest (whoever sent it is verified at their claim, as
/// without this queue). Nothing in it is trusted: it is only bytes to verify. Not thread-safe:
/// its owner keeps it under a lock.
public struct TokenCheckQueue: Sendable {
    /// The ring, made at the first token (a gateway that never hears a tap before an opening
    /// never spends the memory). Its owner is this value; `removeFirst`'s body reads inside it
    /// and must not keep it.
    private var ring: [UInt8] = []
    private let size: Int
    /// Where the oldest token's length is, and where the next one goes.
    private var head = 0
    private var tail = 0
    /// Bytes taken, with the padding left at the end by a token that wrapped to the start.
    private var used = 0
    public private(set) var count = 0
    /// Tokens refused because the ring was full or the token could not be one.
    public private(set) var refused = 0

    /// A ring of `bytes` (0: a queue that holds nothing).
    public init(bytes: Int) { size = max(0, bytes) }

    public var isEmpty: Bool { count == 0 }

    /// Keeps a copy of `token`; false if the ring is full or the token is empty or longer than a
    /// token may be (`TokenVerifier.maxTokenBytes`).
    public mutating func append(_ token: UnsafeRawBufferPointer) -> Bool {
        let need = 2 + token.count
        guard !token.isEmpty, token.count <= TokenVerifier.maxTokenBytes, need <= size else {
            refused += 1
            return false
        }
        if ring.isEmpty { ring = [UInt8](repeating: 0, count: size) }
        // A token is stored in one piece: one that does not fit before the end starts over at 0,
        // and the end is left as padding (marked by a zero length when there is room for one).
        let pad = ring.count - tail < need ? ring.count - tail : 0
        guard used + pad + need <= ring.count else {
            refused += 1
            return false
        }
        if pad > 0 {
            if pad >= 2 { write(length: 0, at: tail) }
            tail = 0
        }
        write(length: token.count, at: tail)
        ring.withUnsafeMutableBytes { r in
            // `need <= ring.count - tail` here: the copy stays inside the ring.
            UnsafeMutableRawBufferPointer(rebasing: r[(tail + 2)..<(tail + need)]).copyMemory(from: token)
        }
        tail = (tail + need) % ring.count
        used += pad + need
        count += 1
        return true
    }

    /// Calls `body` with the oldest token (a view into the ring, valid only during the call) and
    /// drops it; false when the queue is empty.
    @discardableResult
    public mutating func removeFirst(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard count > 0 else { return false }
        let rest = ring.count - head
        if rest < 2 || length(at: head) == 0 {
            // The padding a wrapped token left: the oldest token starts at 0.
            used -= rest
            head = 0
        }
        let n = length(at: head)
        ring.withUnsafeBytes { r in body(UnsafeRawBufferPointer(rebasing: r[(head + 2)..<(head + 2 + n)])) }
        head = (head + 2 + n) % ring.count
        used -= 2 + n
        count -= 1
        if count == 0 {
            // Empty: start over at 0, so the whole ring is one piece again.
            (head, tail, used) = (0, 0, 0)
        }
        return true
    }

    private func length(at offset: Int) -> Int { Int(ring[offset]) << 8 | Int(ring[offset + 1]) }

    private mutating func write(length n: Int, at offset: Int) {
        ring[offset] = UInt8(truncatingIfNeeded: n >> 8)
        ring[offset + 1] = UInt8(truncatingIfNeeded: n)
    }
}

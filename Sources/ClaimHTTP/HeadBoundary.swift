import Glibc

/// Finds the blank line (CRLF CRLF) that ends an HTTP message head, looking no further than
/// `limit` bytes so a peer that never sends one cannot make us scan without bound.
enum HeadBoundary {
    /// The offset just past CRLF CRLF, or nil if it is not within the first `limit` bytes.
    static func end(in bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let n = min(bytes.count, limit)
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        // Jump from LF to LF with memchr (vectorised) instead of testing every byte.
        while i + 3 < n {
            guard let lf = memchr(base + i + 1, 10, n - i - 1) else { return nil }
            let j = base.distance(to: UnsafeRawPointer(lf))  // bytes[j] == LF, j >= i + 1
            if j + 2 < n, bytes[j - 1] == 13, bytes[j + 1] == 13, bytes[j + 2] == 10 { return j + 3 }
            i = j
        }
        return nil
    }
}

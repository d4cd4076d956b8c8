/// Finds the blank line (CRLF CRLF) that ends an HTTP message head, looking no further than
/// `limit` bytes so a peer that never sends one cannot make us scan without bound.
enum HeadBoundary {
    /// The offset just past CRLF CRLF, or nil if it is not within the first `limit` bytes.
    static func end(in bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let n = min(bytes.count, limit)
        var i = 0
        while i + 3 < n {
            if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 { return i + 4 }
            i += 1
        }
        return nil
    }
}

/// Comparisons of bytes read in place: request paths and methods, header names, token claim
/// names, pool ids, Redis replies. Eight bytes at a time with unaligned word loads: a request
/// compares over a hundred bytes this way (the generic `elementsEqual` over slices cost more
/// than the routing it served, and a byte loop ~400 instructions more per sold-out answer than
/// this), in plain Swift, so the core needs no C. Inlinable: its callers are in other modules,
/// and a call each would cost about what the comparison does.
public enum ByteMatch {
    /// `a` and `b` hold the same bytes.
    @inlinable
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && same(a.baseAddress, b.baseAddress, a.count)
    }

    /// `a` holds exactly the literal's bytes.
    @inlinable
    public static func equal(_ a: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        a.count == literal.utf8CodeUnitCount && same(a.baseAddress, UnsafeRawPointer(literal.utf8Start), a.count)
    }

    /// `a` starts with the literal's bytes.
    @inlinable
    public static func hasPrefix(_ a: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        return a.count >= n && same(a.baseAddress, UnsafeRawPointer(literal.utf8Start), n)
    }

    /// `a` starts with the literal's bytes, ASCII letters in `a` compared as lowercase (the
    /// literal is lowercase): `Bearer `, `bearer `, `BEARER `.
    public static func hasPrefixIgnoringCase(_ a: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let n = lowercase.utf8CodeUnitCount
        guard a.count >= n else { return false }
        let l = lowercase.utf8Start
        for j in 0..<n {
            var x = a[j]
            if x >= 65, x <= 90 { x += 32 }
            if x != l[j] { return false }
        }
        return true
    }

    /// The first `n` bytes at `x` and `y` are the same (nil only where `n` is 0).
    @usableFromInline
    static func same(_ x: UnsafeRawPointer?, _ y: UnsafeRawPointer?, _ n: Int) -> Bool {
        guard n > 0, let x, let y else { return true }
        func equal<Word: FixedWidthInteger>(_: Word.Type, at i: Int) -> Bool {
            x.loadUnaligned(fromByteOffset: i, as: Word.self) == y.loadUnaligned(fromByteOffset: i, as: Word.self)
        }
        var i = 0
        while i + 8 <= n {
            guard equal(UInt64.self, at: i) else { return false }
            i += 8
        }
        // The tail of under eight bytes in at most three loads each.
        if i + 4 <= n {
            guard equal(UInt32.self, at: i) else { return false }
            i += 4
        }
        if i + 2 <= n {
            guard equal(UInt16.self, at: i) else { return false }
            i += 2
        }
        return i == n || equal(UInt8.self, at: i)
    }
}

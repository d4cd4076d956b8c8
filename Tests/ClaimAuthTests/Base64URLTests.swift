import Testing

@testable import ClaimAuth

@Suite struct Base64URLTests {
    @Test func roundTripsEveryLength() {
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(Array(Base64URL.encode(bytes).utf8)) == bytes)
        }
    }

    @Test func matchesTheRFCAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode(Array("{\"alg\":\"HS256\"}".utf8)) == "eyJhbGciOiJIUzI1NiJ9")
    }

    @Test func refusesPaddingForeignBytesAndNonCanonicalTails() {
        #expect(Base64URL.decode(Array("eyJ=".utf8)) == nil)
        #expect(Base64URL.decode(Array("ab+/".utf8)) == nil)
        #expect(Base64URL.decode(Array("a".utf8)) == nil)
        #expect(Base64URL.decode(Array("-_9".utf8)) == nil)  // low bits set: another encoding of -_8
    }
}

/// Decoding into a caller's buffer (the token verifier's path) against the array form.
@Suite struct Base64URLIntoBufferTests {
    func into(_ text: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Base64URL.decodedCount(text.count))
        let n = text.withUnsafeBytes { t in out.withUnsafeMutableBytes { Base64URL.decode(t, into: $0) } }
        return n.map { Array(out[..<$0]) }
    }

    @Test func agreesWithTheArrayFormOnEveryLengthAndEveryBadPosition() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 7) }
            let text = Array(Base64URL.encode(bytes).utf8)
            #expect(into(text) == bytes)
            for i in text.indices {
                for bad in Array("=+/. \u{0}".utf8) + [0xFF] {
                    var broken = text
                    broken[i] = bad
                    #expect(into(broken) == nil)
                    #expect(Base64URL.decode(broken) == nil)
                }
            }
        }
    }

    @Test func refusesABufferTooSmall() {
        var out = [UInt8](repeating: 0, count: 2)
        let n = Array("eyJh".utf8).withUnsafeBytes { t in out.withUnsafeMutableBytes { Base64URL.decode(t, into: $0) } }
        #expect(n == nil)
    }
}

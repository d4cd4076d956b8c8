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

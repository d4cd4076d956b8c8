import Testing

@testable import ClaimCore

@Suite struct ByteMatchTests {
    func bytes(_ s: String, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool { Array(s.utf8).withUnsafeBytes(body) }

    @Test func equalMeansTheSameBytesAndLength() {
        #expect(bytes("/healthz") { ByteMatch.equal($0, "/healthz") })
        #expect(!bytes("/healthz/") { ByteMatch.equal($0, "/healthz") })
        #expect(!bytes("/healthy") { ByteMatch.equal($0, "/healthz") })
        #expect(!bytes("") { ByteMatch.equal($0, "x") })
        #expect(bytes("abc") { a in bytes("abc") { ByteMatch.equal(a, $0) } })
        #expect(!bytes("abc") { a in bytes("abd") { ByteMatch.equal(a, $0) } })
        #expect(!bytes("abc") { a in bytes("ab") { ByteMatch.equal(a, $0) } })
        #expect(bytes("") { a in bytes("") { ByteMatch.equal(a, $0) } })
    }

    @Test func hasPrefixLooksOnlyAtThePrefix() {
        #expect(bytes("/v1/pools/a") { ByteMatch.hasPrefix($0, "/v1/pools/") })
        #expect(bytes("/v1/pools/") { ByteMatch.hasPrefix($0, "/v1/pools/") })
        #expect(!bytes("/v1/pool") { ByteMatch.hasPrefix($0, "/v1/pools/") })
        #expect(!bytes("/v2/pools/a") { ByteMatch.hasPrefix($0, "/v1/pools/") })
    }
}

/// The word-at-a-time comparison against the byte rule, at every length and position.
@Suite struct ByteMatchWordTests {
    @Test func aDifferenceAnywhereIsSeenAtEveryLength() {
        for n in 0..<40 {
            let a = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            #expect(a.withUnsafeBytes { x in a.withUnsafeBytes { ByteMatch.equal(x, $0) } })
            for i in 0..<n {
                var b = a
                b[i] ^= 0x20
                #expect(!a.withUnsafeBytes { x in b.withUnsafeBytes { ByteMatch.equal(x, $0) } }, "length \(n) at \(i)")
            }
        }
    }
}

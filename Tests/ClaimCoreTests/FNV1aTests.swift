import Testing

@testable import ClaimCore

/// The published FNV-1a 64-bit values: segments and pool lookups depend on them staying put.
@Suite struct FNV1aTests {
    @Test func matchesTheReferenceValues() {
        #expect(FNV1a.hash("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test func aBasisSeedsIt() {
        #expect(FNV1a.hash("a".utf8, basis: FNV1a.offsetBasis ^ 1) != FNV1a.hash("a".utf8))
        #expect(FNV1a.hash("".utf8, basis: 7) == 7)
    }
}

import Testing

@testable import ClaimAuth

/// The table that tells a resident's second tap before the opening from a first.
@Suite struct TokenSightingsTests {
    func digest(_ s: String) -> TokenDigest {
        var s = s
        return s.withUTF8 { TokenDigest(of: UnsafeRawBufferPointer($0)) }
    }

    @Test func aSecondSightingIsToldAndAnotherTokenIsNot() {
        var seen = TokenSightings(capacity: 1000)
        let told = ["a", "a", "b", "a", "b"].map { seen.sawBefore(digest($0)) }
        #expect(told == [false, true, false, true, true])
    }

    /// Bounded: a crowd of one-off taps forgets older ones, and none is ever told twice wrongly.
    @Test func aCrowdForgetsButNeverMistakesOneTokenForAnother() {
        var seen = TokenSightings(capacity: 8)
        let firsts = (0..<10_000).map { seen.sawBefore(digest("p\($0)")) }
        #expect(!firsts.contains(true))
        var none = TokenSightings(capacity: 0)
        let twice = [none.sawBefore(digest("x")), none.sawBefore(digest("x"))]
        #expect(twice == [false, false])
    }
}

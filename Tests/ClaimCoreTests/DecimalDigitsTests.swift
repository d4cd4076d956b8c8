import Testing

@testable import ClaimCore

@Suite struct DecimalDigitsTests {
    func digits(_ v: Int) -> String {
        var out: [UInt8] = Array("x".utf8)
        DecimalDigits.append(v, to: &out)
        return String(decoding: out.dropFirst(), as: UTF8.self)
    }

    @Test func writesWhatStringDoesAtEveryBoundary() {
        for v in [0, 1, 9, 10, 99, 100, 999, 1000, 65_535, 1_654_826_400_000, Int.max] {
            #expect(digits(v) == String(v))
        }
        var p = 1
        while p < Int.max / 10 {
            #expect(digits(p - 1) == String(p - 1))
            #expect(digits(p) == String(p))
            p *= 10
        }
    }

    @Test func negativeIsWrittenAsZero() {
        #expect(digits(-1) == "0")
        #expect(digits(Int.min) == "0")
    }

    @Test func signedIsWrittenAsStringWritesIt() {
        for v: Int64 in [0, 7, -7, 10, -10, 1_654_826_400_000, -1_654_826_400_000, .max, .min] {
            var out: [UInt8] = []
            DecimalDigits.append(signed: v, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(v))
        }
    }

    @Test func readsRunsOfDigits() {
        #expect(DecimalDigits.value(Array("0042".utf8)) == 42)
        #expect(DecimalDigits.value(Array("4a".utf8)) == nil)
        #expect(DecimalDigits.value([UInt8]()) == nil)
        #expect(DecimalDigits.value(Array("999999999999999999".utf8)) == 999_999_999_999_999_999)
        #expect(DecimalDigits.value(Array("1000000000000000000".utf8)) == nil)
    }
}

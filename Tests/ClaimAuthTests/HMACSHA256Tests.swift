import ClaimCore
import Crypto
import Foundation
import Testing

@testable import ClaimAuth

/// The HS256 HMAC (swift-crypto with the key's pads prepared once) against RFC 4231's vectors,
/// and used many times over: each code starts from the prepared state, never from the last
/// message's.
@Suite struct HMACSHA256Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func matchesRFC4231() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            hex(HMACSHA256(key: key1).code(for: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(HMACSHA256(key: Array("Jefe".utf8)).code(for: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // A key longer than a block is hashed first.
        let key6 = [UInt8](repeating: 0xaa, count: 131)
        #expect(
            hex(HMACSHA256(key: key6).code(for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aPreparedKeyGivesEachMessageItsOwnCode() {
        var random = SplitMix64(seed: 1)
        func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        let key = bytes(32)
        let keyed = HMACSHA256(key: key)
        for length in 0..<200 {
            let message = bytes(length)
            let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(keyed.code(for: message) == expected, "message \(length)")
            var wrong = expected
            wrong[length % 32] ^= 1
            message.withUnsafeBytes { m in
                #expect(expected.withUnsafeBytes { keyed.isValid($0, for: m) })
                #expect(!wrong.withUnsafeBytes { keyed.isValid($0, for: m) })
            }
        }
    }
}

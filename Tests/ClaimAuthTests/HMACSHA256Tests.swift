import ClaimCore
import Crypto
import Foundation
import Testing

@testable import ClaimAuth

/// The claim path's HMAC-SHA-256 against RFC 4231's vectors and against swift-crypto over random
/// keys and messages, with the CPU's SHA extensions and with the portable block function.
@Suite(.serialized) struct HMACSHA256Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func usesTheSHAExtensionsWhenTheCPUHasThem() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        #expect(HMACSHA256.useHardware(true) == cpuinfo.contains(" sha_ni"))
        #expect(!HMACSHA256.useHardware(false))
        HMACSHA256.useHardware(true)
    }

    @Test(arguments: [true, false])
    func matchesRFC4231(hardware: Bool) {
        HMACSHA256.useHardware(hardware)
        defer { HMACSHA256.useHardware(true) }
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
        #expect(
            hex(HMACSHA256.digest(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: [true, false])
    func agreesWithSwiftCrypto(hardware: Bool) {
        HMACSHA256.useHardware(hardware)
        defer { HMACSHA256.useHardware(true) }
        var random = SplitMix64(seed: hardware ? 1 : 2)
        func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        // Every message length across several blocks and both padding cases, keys of every size.
        for length in 0..<300 {
            let key = bytes(Int(random.next() % 150))
            let message = bytes(length)
            let expected = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            #expect(HMACSHA256(key: key).code(for: message) == Array(expected), "key \(key.count), message \(length)")
            #expect(HMACSHA256.digest(message) == Array(SHA256.hash(data: message)), "message \(length)")
        }
    }
}

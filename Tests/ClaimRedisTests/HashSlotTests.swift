import Testing

@testable import ClaimRedis

@Suite struct HashSlotTests {
    /// The examples of Redis's own CLUSTER KEYSLOT documentation.
    @Test func matchesRedisDocumentedSlots() {
        #expect(HashSlot.of("somekey") == 11058)
        #expect(HashSlot.of("foo{hash_tag}") == 2515)
        #expect(HashSlot.of("bar{hash_tag}") == 2515)
        #expect(HashSlot.of("123456789") == Int(0x31C3) & 16383)  // CRC16/XMODEM's check value
    }

    @Test func aPoolsKeysShareOneSlot() {
        let keys = PoolKeys(pool: "appliance-500")
        let slot = HashSlot.of(keys.window("2022-06-10"))
        for k in [keys.people("2022-06-10"), keys.replays("2022-06-10"), keys.vouchers, keys.wallet, keys.meta] {
            #expect(HashSlot.of(k) == slot)
        }
        #expect(slot == HashSlot.of("appliance-500"))
    }

    @Test func emptyOrUnclosedTagsHashTheWholeKey() {
        #expect(HashSlot.of("a{}b") == Int(HashSlot.crc16(Array("a{}b".utf8)[...])) & 16383)
        #expect(HashSlot.of("a{b") == Int(HashSlot.crc16(Array("a{b".utf8)[...])) & 16383)
        #expect(HashSlot.of("{a}{b}") == HashSlot.of("a"))
    }
}

import Testing

@testable import ClaimRedis

@Suite struct ClusterSlotMapTests {
    let seed = RedisEndpoint(host: "10.0.0.1", port: 7000, username: "gateway", password: "pw")

    @Test func readsClusterSlotsWithCredentialsAndAnnouncedHosts() throws {
        func node(_ host: String, _ port: Int64) -> RedisReply { .array([.bulk(Array(host.utf8)), .integer(port)]) }
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)]),
            .array([.integer(5461), .integer(10922), node("", 7001)]),
            .array([.integer(10923), .integer(16383), node("127.0.0.1", 7002)]),
            .array([.integer(100), .integer(100), node("127.0.0.1", 7002)]),
        ])
        let map = try ClusterSlotMap(clusterSlots: reply, seed: seed)
        #expect(map.masters.map(\.port) == [7000, 7001, 7002])
        #expect(map.masters[1].host == "10.0.0.1")  // "" is the node we asked
        #expect(map.masters.allSatisfy { $0.username == "gateway" && $0.password == "pw" })
        #expect(map.master(ofSlot: 0) == 0)
        #expect(map.master(ofSlot: 100) == 2)  // a later range wins (a migrated slot)
        #expect(map.master(ofSlot: 5461) == 1)
        #expect(map.master(ofSlot: 16383) == 2)
        #expect(map.master(ofSlot: 16384) == nil)
    }

    @Test func refusesWhatIsNotASlotMap() {
        for bad: RedisReply in [
            .integer(1), .array([]), .array([.array([.integer(5), .integer(1), .array([])])]),
            .array([.array([.integer(0), .integer(16384), .array([.bulk([49]), .integer(1)])])]),
        ] {
            #expect(throws: RedisError.self) { try ClusterSlotMap(clusterSlots: bad, seed: seed) }
        }
    }
}

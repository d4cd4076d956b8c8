import Testing

@testable import ClaimGateway

@Suite struct PoolDirectoryTests {
    func index(_ d: PoolDirectory, _ id: String) -> Int? { Array(id.utf8).withUnsafeBytes { d.index(of: $0) } }

    @Test func findsEveryIdOfALargeProgrammeAndNothingElse() {
        let ids = (0..<300).map { "pool-\($0)" }
        let d = PoolDirectory(ids: ids)
        for (i, id) in ids.enumerated() { #expect(index(d, id) == i) }
        for miss in ["", "pool-", "pool-300", "pool-1x", "xpool-1", "Pool-1", "pool-01"] {
            #expect(index(d, miss) == nil, "\(miss)")
        }
    }

    @Test func anEmptyProgrammeKnowsNoPool() {
        #expect(index(PoolDirectory(ids: []), "appliance-500") == nil)
    }
}

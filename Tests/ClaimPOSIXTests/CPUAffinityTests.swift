import Foundation
import Testing

@testable import ClaimPOSIX

/// Pinning is per thread: the pinned thread may run on one CPU, the others keep their set, and
/// loop i of N (N at most the CPUs allowed) gets a CPU no other loop has.
@Suite struct CPUAffinityTests {
    @Test func aPinnedThreadRunsOnOneCPUAndTheOthersKeepTheirs() throws {
        let before = try #require(CPUAffinity.allowedCount)
        let (cpu, after) = onThread { (CPUAffinity.pinCurrentThread(toAllowed: 0), CPUAffinity.allowedCount) }
        #expect(cpu != nil)
        #expect(after == 1)
        #expect(CPUAffinity.allowedCount == before)
    }

    @Test func eachLoopGetsItsOwnCPUAndMoreLoopsWrapAround() throws {
        let count = try #require(CPUAffinity.allowedCount)
        let cpus = (0..<count).map { i in onThread { CPUAffinity.pinCurrentThread(toAllowed: i) } }
        #expect(cpus.allSatisfy { $0 != nil })
        #expect(Set(cpus.compactMap { $0 }).count == count)
        #expect(onThread { CPUAffinity.pinCurrentThread(toAllowed: count) } == cpus[0])
        #expect(onThread { CPUAffinity.pinCurrentThread(toAllowed: -1) } == nil)
    }
}

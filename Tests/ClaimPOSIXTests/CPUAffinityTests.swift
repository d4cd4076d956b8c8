import Foundation
import Testing

@testable import ClaimPOSIX

/// Pinning is per thread: the pinned thread may run on one CPU, the others keep their set, and
/// loop i of N (N at most the CPUs allowed) gets a CPU no other loop has.
@Suite struct CPUAffinityTests {
    /// Runs `body` on a thread of its own (pinning the test runner's thread would outlive the test).
    private func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.value = body()
            done.signal()
        }.start()
        done.wait()
        return box.value!
    }

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

/// A value handed from the worker thread to the waiting test (the semaphore orders the access).
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

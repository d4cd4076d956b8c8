import Foundation
import Testing

@testable import ClaimPOSIX

/// SCHED_BATCH is per thread: the thread that asks for it runs under it, the others do not.
@Suite struct BatchSchedulingTests {
    @Test func onlyTheThreadThatAsksRunsUnderSCHEDBATCH() {
        let box = BatchResult()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.before = BatchScheduling.isCurrentThreadBatch
            box.applied = BatchScheduling.applyToCurrentThread()
            box.after = BatchScheduling.isCurrentThreadBatch
            done.signal()
        }.start()
        done.wait()
        #expect(box.before == false)
        #expect(box.applied == true)
        #expect(box.after == true)
        #expect(!BatchScheduling.isCurrentThreadBatch)
    }
}

/// What the worker thread saw, read by the test after the semaphore.
private final class BatchResult: @unchecked Sendable {
    var before: Bool?
    var applied: Bool?
    var after: Bool?
}

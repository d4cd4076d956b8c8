import Testing

@testable import ClaimPOSIX

/// The event loop on a manual clock: timers fire when the clock says so, never by sleeping.
@Suite struct EventLoopTests {
    final class Recorder: EventHandler {
        var seen: [(UInt64, EpollEvents)] = []
        func handleEvents(_ events: EpollEvents, tag: UInt64) { seen.append((tag, events)) }
    }

    @Test func timersFireInDeadlineOrderWhenTheClockReachesThem() throws {
        let clock = ManualLoopClock()
        let loop = try EventLoop(clock: clock)
        var fired: [String] = []
        loop.schedule(afterMilliseconds: 30) { fired.append("c") }
        loop.schedule(afterMilliseconds: 10) { fired.append("a") }
        let cancelled = loop.schedule(afterMilliseconds: 20) { fired.append("never") }
        loop.schedule(afterMilliseconds: 20) { fired.append("b") }
        loop.cancel(cancelled)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(fired.isEmpty)
        clock.advance(milliseconds: 10)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(fired == ["a"])
        clock.advance(milliseconds: 25)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(fired == ["a", "b", "c"])
    }

    @Test func aTimerScheduledByATimerForNowFiresInTheSameIteration() throws {
        let clock = ManualLoopClock()
        let loop = try EventLoop(clock: clock)
        var fired = 0
        loop.schedule(afterMilliseconds: 5) {
            fired += 1
            loop.schedule(at: loop.now) { fired += 1 }
        }
        clock.advance(milliseconds: 5)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(fired == 2)
    }

    @Test func eventsReachTheirHandlerWithItsTagAndHooksRunBeforeSleep() throws {
        let loop = try EventLoop(clock: ManualLoopClock())
        let signal = try WakeupSignal()
        let recorder = Recorder()
        let r = try loop.register(signal.fd, .readable, handler: recorder, tag: 42)
        var hooks = 0
        loop.addBeforeSleep { hooks += 1 }
        signal.fire()
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(recorder.seen.map(\.0) == [42])
        #expect(recorder.seen.first?.1.contains(.readable) == true)
        #expect(hooks == 1)
        // Unregistered: still readable, but nobody is told.
        loop.unregister(r)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(recorder.seen.count == 1)
        #expect(hooks == 2)
    }

    @Test func aReusedSlotDoesNotTakeTheOldRegistrationsEvents() throws {
        let loop = try EventLoop(clock: ManualLoopClock())
        let (a, b) = (try WakeupSignal(), try WakeupSignal())
        let (first, second) = (Recorder(), Recorder())
        let old = try loop.register(a.fd, .readable, handler: first, tag: 1)
        loop.unregister(old)
        _ = try loop.register(b.fd, .readable, handler: second, tag: 2)
        // The old registration's handle no longer names the slot: unregistering it again is a no-op.
        loop.unregister(old)
        b.fire()
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(first.seen.isEmpty)
        #expect(second.seen.map(\.0) == [2])
    }

    @Test func theWaitIsBoundedByTheNextTimer() throws {
        let clock = ManualLoopClock()
        let loop = try EventLoop(clock: clock)
        loop.schedule(afterMilliseconds: 0) {}
        // A timer due now: the wait is 0 even when a long one is allowed, so this returns at once.
        try loop.runOnce(maxWaitMilliseconds: 60_000)
    }
}

@Suite struct TimerHeapTests {
    @Test func popsInDeadlineOrderThenInScheduleOrder() {
        var heap = TimerHeap()
        var order: [Int] = []
        for (i, d) in [50, 10, 30, 10, 40, 20].enumerated() { heap.schedule(at: UInt64(d)) { order.append(i) } }
        #expect(heap.nextDeadline() == 10)
        while let fire = heap.popDue(now: 100) { fire() }
        #expect(order == [1, 3, 5, 2, 4, 0])
        #expect(heap.nextDeadline() == nil)
    }

    @Test func nothingIsDueBeforeItsDeadlineAndCancelledTimersNeverFire() {
        var heap = TimerHeap()
        var fired: [Int] = []
        let a = heap.schedule(at: 10) { fired.append(1) }
        heap.schedule(at: 20) { fired.append(2) }
        #expect(heap.popDue(now: 9) == nil)
        heap.cancel(a)
        #expect(heap.nextDeadline() == 20)
        while let fire = heap.popDue(now: 20) { fire() }
        #expect(fired == [2])
    }
}

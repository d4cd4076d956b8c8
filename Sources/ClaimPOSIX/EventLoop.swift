/// Something an event loop calls when a descriptor it registered is ready.
public protocol EventHandler: AnyObject {
    /// `events` happened on the descriptor registered with `tag` (the handler's own name for it).
    func handleEvents(_ events: EpollEvents, tag: UInt64)
}

/// One thread's event loop, in the spirit of Redis's ae.c: descriptors in one epoll, each with
/// a handler and a tag; timers by deadline; hooks run before every sleep. It knows nothing of
/// HTTP or Redis. Time comes from the injected `clock`, read once per wake-up (`now`) and again
/// only where a caller asks for it, so every timer and timeout is testable with a
/// `ManualLoopClock`.
///
/// One iteration: wait for events (no longer than the next timer), call their handlers, fire
/// the timers that are due, then the before-sleep hooks (where the owners flush what the
/// handlers queued: one write per socket per iteration).
///
/// Not `Sendable`: create it on the thread that runs it.
public final class EventLoop {
    public let clock: any LoopClock
    /// The clock when the loop last woke up (or was created).
    public private(set) var now: UInt64
    private let epoll: Epoll
    /// Registrations by slot; a token is `generation << 32 | slot`, so an event still queued for
    /// a slot freed and reused in the same iteration does not reach the new owner.
    private var slots: [(handler: (any EventHandler)?, tag: UInt64, generation: UInt32)] = []
    private var freeSlots: [Int] = []
    private var timers = TimerHeap()
    private var beforeSleep: [() -> Void] = []

    public init(clock: any LoopClock = SystemLoopClock(), maxEvents: Int = 512) throws(POSIXError) {
        self.clock = clock
        self.now = clock.nanoseconds()
        self.epoll = try Epoll(maxEvents: maxEvents)
    }

    /// A registered descriptor, for `modify` and `unregister`.
    public struct Registration: Hashable, Sendable {
        public let fd: Int32
        let token: UInt64
    }

    /// Watches `fd` for `interest`; `handler` gets its events with `tag`. The loop holds the
    /// handler until `unregister`.
    public func register(_ fd: Int32, _ interest: EpollEvents, handler: any EventHandler, tag: UInt64)
        throws(POSIXError) -> Registration
    {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = slots.count
            slots.append((nil, 0, 0))
        }
        let generation = slots[slot].generation &+ 1
        slots[slot] = (handler, tag, generation)
        let token = UInt64(generation) << 32 | UInt64(slot)
        do { try epoll.add(fd, interest, token: token) } catch {
            release(slot)
            throw error
        }
        return Registration(fd: fd, token: token)
    }

    public func modify(_ registration: Registration, _ interest: EpollEvents) throws(POSIXError) {
        try epoll.modify(registration.fd, interest, token: registration.token)
    }

    /// Stops watching (before the descriptor is closed); events already queued for it are dropped.
    public func unregister(_ registration: Registration) {
        let slot = Int(registration.token & 0xFFFF_FFFF)
        guard slot < slots.count, slots[slot].generation == UInt32(registration.token >> 32),
            slots[slot].handler != nil
        else { return }
        epoll.remove(registration.fd)
        release(slot)
    }

    private func release(_ slot: Int) {
        slots[slot].handler = nil
        freeSlots.append(slot)
    }

    /// Calls `fire` once, in the first iteration at or after `deadline` (the loop's clock).
    @discardableResult
    public func schedule(at deadline: UInt64, _ fire: @escaping () -> Void) -> TimerHeap.ID {
        timers.schedule(at: deadline, fire)
    }

    /// The same, `milliseconds` from now.
    @discardableResult
    public func schedule(afterMilliseconds milliseconds: UInt64, _ fire: @escaping () -> Void) -> TimerHeap.ID {
        timers.schedule(at: now + milliseconds * 1_000_000, fire)
    }

    public func cancel(_ timer: TimerHeap.ID) { timers.cancel(timer) }

    /// Runs `hook` at the end of every iteration, before the loop sleeps.
    public func addBeforeSleep(_ hook: @escaping () -> Void) { beforeSleep.append(hook) }

    /// One iteration, sleeping at most `maxWaitMilliseconds` (0: do not sleep).
    public func runOnce(maxWaitMilliseconds: Int32 = 1000) throws(POSIXError) {
        var wait = maxWaitMilliseconds
        if let next = timers.nextDeadline() {
            let ms = next <= now ? 0 : (next - now + 999_999) / 1_000_000
            wait = Int32(min(UInt64(wait), ms))
        }
        var woke = false
        try epoll.wait(timeoutMilliseconds: wait) { token, events in
            if !woke {
                // The handlers see the time they woke at.
                now = clock.nanoseconds()
                woke = true
            }
            let slot = Int(token & 0xFFFF_FFFF)
            guard slot < slots.count, slots[slot].generation == UInt32(token >> 32),
                let handler = slots[slot].handler
            else { return }
            handler.handleEvents(events, tag: slots[slot].tag)
        }
        if !woke { now = clock.nanoseconds() }
        fireDueTimers()
        for hook in beforeSleep { hook() }
    }

    /// Fires every timer due now (one scheduled by a firing timer for now fires too).
    private func fireDueTimers() {
        while let fire = timers.popDue(now: now) { fire() }
    }

    /// Iterates until `done` says so (checked after each iteration).
    public func run(until done: () -> Bool) throws(POSIXError) {
        repeat { try runOnce() } while !done()
    }
}

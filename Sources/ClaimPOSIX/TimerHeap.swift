/// Timers by deadline, earliest first (a binary min-heap); cancelled timers are dropped when
/// they come up. No clock: deadlines are whatever the owner's clock says. One loop owns it.
public struct TimerHeap {
    /// A scheduled timer's handle, for `cancel`.
    public struct ID: Hashable, Sendable {
        let value: UInt64
    }

    private struct Entry {
        let deadline: UInt64
        let id: UInt64
        let fire: () -> Void
    }

    private var heap: [Entry] = []
    private var nextID: UInt64 = 1
    private var cancelled: Set<UInt64> = []

    public init() {}

    /// The earliest live deadline, nil if none.
    public mutating func nextDeadline() -> UInt64? {
        dropCancelled()
        return heap.first?.deadline
    }

    @discardableResult
    public mutating func schedule(at deadline: UInt64, _ fire: @escaping () -> Void) -> ID {
        let id = nextID
        nextID += 1
        heap.append(Entry(deadline: deadline, id: id, fire: fire))
        siftUp(heap.count - 1)
        return ID(value: id)
    }

    public mutating func cancel(_ id: ID) {
        guard id.value < nextID else { return }
        cancelled.insert(id.value)
    }

    /// Removes and returns the earliest timer due at `now` (deadline <= now), nil if none.
    public mutating func popDue(now: UInt64) -> (() -> Void)? {
        dropCancelled()
        guard let first = heap.first, first.deadline <= now else { return nil }
        removeFirst()
        return first.fire
    }

    private mutating func dropCancelled() {
        while let first = heap.first, cancelled.remove(first.id) != nil { removeFirst() }
    }

    private mutating func removeFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].deadline < heap[b].deadline || (heap[a].deadline == heap[b].deadline && heap[a].id < heap[b].id)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let (l, r) = (2 * i + 1, 2 * i + 2)
            var m = i
            if l < heap.count, less(l, m) { m = l }
            if r < heap.count, less(r, m) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}

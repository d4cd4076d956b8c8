import Testing

@testable import ClaimHTTP

/// Descriptors here are only numbers: the table never touches them.
@Suite struct ConnectionTableTests {
    @Test func aTokenFindsItsConnectionAndNotALaterOneOnTheSameDescriptor() {
        var t = ConnectionTable()
        let first = t.open(fd: 7, now: 0)
        #expect(t[first.id] === first)
        #expect(first.id >= ConnectionTable.firstToken)
        let closed = t.close(first)
        #expect(closed)
        #expect(t[first.id] == nil)
        let second = t.open(fd: 7, now: 0)
        #expect(second.id != first.id)
        #expect(t[first.id] == nil, "a stale event for the old connection is dropped")
        #expect(t[second.id] === second)
        #expect(t.count == 1)
    }

    @Test func closingTwiceIsRefusedSoTheReusedDescriptorIsNotClosed() {
        var t = ConnectionTable()
        let old = t.open(fd: 3, now: 0)
        let closed = t.close(old)
        let new = t.open(fd: 3, now: 0)
        let closedAgain = t.close(old)
        #expect(closed)
        #expect(!closedAgain)
        #expect(t[new.id] === new)
    }

    @Test func eachDirtyConnectionComesOutOncePerMarking() {
        var t = ConnectionTable()
        let a = t.open(fd: 5, now: 0)
        let b = t.open(fd: 900, now: 0)
        t.markDirty(a)
        t.markDirty(b)
        t.markDirty(a)
        var seen: [Int32] = []
        while let c = t.nextDirty() {
            seen.append(c.fd)
            // Marked again while being worked through: out again in the same pass.
            if c === b, !seen.dropLast().contains(b.fd) { t.markDirty(b) }
        }
        #expect(seen.sorted() == [5, 900, 900])
        let more = t.nextDirty()
        #expect(more == nil)
    }

    @Test func aClosedConnectionIsNotHandedOutAsDirty() {
        var t = ConnectionTable()
        let a = t.open(fd: 4, now: 0)
        t.markDirty(a)
        t.close(a)
        let none = t.nextDirty()
        #expect(none == nil)
        let reused = t.open(fd: 4, now: 0)
        t.markDirty(reused)
        let next = t.nextDirty()
        let after = t.nextDirty()
        #expect(next === reused)
        #expect(after == nil)
    }

    @Test func interestsAreKeptPerConnection() {
        var t = ConnectionTable()
        let a = t.open(fd: 2, now: 0)
        #expect(t.interest(of: a) == .readable)
        t.setInterest([.readable, .writable], of: a)
        #expect(t.interest(of: a) == [.readable, .writable])
        #expect(t.all.map(\.fd) == [2])
    }
}

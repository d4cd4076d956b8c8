import ClaimPOSIX

/// One loop's open connections, in an array indexed by descriptor, with what epoll is asked to
/// report for each and which have something to parse or write before the loop sleeps. Every
/// event and every Redis reply finds its connection here, so lookups are an index and a
/// compare: no hashing.
///
/// A connection's token (its epoll data, and how a pending Redis call names it) is a serial
/// number above the descriptor (`serial << 32 | fd`): an event or reply meant for a closed
/// connection whose descriptor was reused by a new one does not match and is dropped.
public struct ConnectionTable {
    private var slots: [HTTPConnection?] = []
    private var interests: [EpollEvents] = []
    private var marked: [Bool] = []
    private var dirty: [Int32] = []
    private var serial: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    /// Every token is at least this: below it are the loop's own descriptors' tokens.
    public static let firstToken: UInt64 = 1 << 32

    /// A connection for a newly accepted descriptor, watched for reading.
    public mutating func open(fd: Int32, now: UInt64) -> HTTPConnection {
        serial += 1
        let conn = HTTPConnection(fd: fd, id: serial << 32 | UInt64(UInt32(bitPattern: fd)), now: now)
        let i = Int(fd)
        if i >= slots.count {
            let grown = max(i + 1, slots.count * 2, 64)
            slots += [HTTPConnection?](repeating: nil, count: grown - slots.count)
            interests += [EpollEvents](repeating: [], count: grown - interests.count)
            marked += [Bool](repeating: false, count: grown - marked.count)
        }
        slots[i] = conn
        interests[i] = .readable
        marked[i] = false
        count += 1
        return conn
    }

    /// The open connection `token` names, nil if it has closed since.
    public subscript(token: UInt64) -> HTTPConnection? {
        let i = Int(token & 0xFFFF_FFFF)
        guard i < slots.count, let conn = slots[i], conn.id == token else { return nil }
        return conn
    }

    /// Forgets `conn`; false if it was not open (closed already: its descriptor may belong to
    /// a newer connection now, which the caller must not close).
    @discardableResult
    public mutating func close(_ conn: HTTPConnection) -> Bool {
        let i = Int(conn.fd)
        guard i < slots.count, slots[i] === conn else { return false }
        slots[i] = nil
        interests[i] = []
        // Its entry in `dirty`, if any, is skipped: the mark is what counts, and a newer
        // connection on the same descriptor is marked (and listed) afresh.
        marked[i] = false
        count -= 1
        return true
    }

    public func interest(of conn: HTTPConnection) -> EpollEvents { interests[Int(conn.fd)] }

    public mutating func setInterest(_ events: EpollEvents, of conn: HTTPConnection) {
        interests[Int(conn.fd)] = events
    }

    /// Remembers that `conn` has something to parse or write before the loop sleeps.
    public mutating func markDirty(_ conn: HTTPConnection) {
        let i = Int(conn.fd)
        guard !marked[i] else { return }
        marked[i] = true
        dirty.append(conn.fd)
    }

    /// The next connection marked dirty (in no particular order: each connection keeps its own
    /// answers in order), unmarked; nil when none is left. Connections marked while the caller
    /// works through them come out in the same pass.
    public mutating func nextDirty() -> HTTPConnection? {
        while let fd = dirty.popLast() {
            let i = Int(fd)
            guard marked[i] else { continue }
            marked[i] = false
            if let conn = slots[i] { return conn }
        }
        return nil
    }

    /// Every open connection (for sweeps and shutdown, not per request).
    public var all: [HTTPConnection] { slots.compactMap { $0 } }
}

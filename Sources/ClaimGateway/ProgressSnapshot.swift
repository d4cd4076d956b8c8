import ClaimCore

/// One pool's progress as a loop last read it: the answer's fields rendered once, a validator
/// for them, and how long they stand. Pure: the endpoint brings the clocks.
struct ProgressSnapshot {
    /// The pool's object without `server_time` and its closing brace
    /// (`ResponseBody.progressFields`); each answer adds the gateway's clock of its own moment.
    let fields: [UInt8]
    /// FNV-1a of `fields`: equal fields, equal tag. The answer's clock is left out of it, so the
    /// `ETag` is weak (RFC 9110 8.8.1: the same progress, not the same bytes).
    let tag: UInt64
    /// The loop clock (ns) after which a poll reads Redis again.
    let freshUntil: UInt64
    /// The programme instant (Unix ms) at which the pool's position moves on (its window opens or
    /// closes): a poll at or after it reads again whatever `freshUntil` says, so 10:00 shows at
    /// 10:00, not 250 ms later.
    let positionUntil: Int64

    init(
        pool: Pool, position: SchedulePosition, counts: (released: Int, left: Int, granted: Int)?,
        pausedReason: String?, calendar: CityCalendar, freshUntil: UInt64
    ) {
        var w = JSONWriter(capacity: 400)
        w.beginObject()
        ResponseBody.progressFields(
            pool: pool, position: position, counts: counts, calendar: calendar, pausedReason: pausedReason, into: &w)
        fields = w.bytes
        tag = fields.withUnsafeBytes { FNV1a.hash($0) }
        self.freshUntil = freshUntil
        switch position {
        case .open(let window): positionUntil = window.closesAt.unixMilliseconds
        case .upcoming(let window): positionUntil = window.opensAt.unixMilliseconds
        case .ended: positionUntil = .max
        }
    }

    /// Whether a poll at loop time `loopNow` and programme time `now` may be answered from it.
    /// An ended pool's never goes stale: nothing can change it.
    func isFresh(loopNow: UInt64, now: Instant) -> Bool {
        now.unixMilliseconds < positionUntil && (positionUntil == .max || loopNow < freshUntil)
    }

    /// `W/"<16 hex digits>"` for a tag (one pool's, or a list's).
    static func entityTag(_ tag: UInt64) -> String {
        let hex = String(tag, radix: 16)
        return "W/\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-None-Match` value names `tag` (weak comparison, RFC 9110 13.1.2): `*`, or
    /// a list holding the tag with or without `W/`.
    static func matches(ifNoneMatch value: [UInt8], tag: UInt64) -> Bool {
        let text = String(decoding: value, as: UTF8.self)
        if text.trimmingBlanks == "*" { return true }
        let quoted = String(entityTag(tag).dropFirst(2))
        return text.split(separator: ",").contains { $0.trimmingBlanks.hasSuffix(quoted) }
    }
}

extension Substring {
    fileprivate var trimmingBlanks: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}

extension String {
    fileprivate var trimmingBlanks: Substring { self[...].trimmingBlanks }
}

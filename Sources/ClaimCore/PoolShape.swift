/// What the claims of a released window depend on besides its stored quota: how the pool is
/// split (which segment, and so which keys, a person claims in), the per-person limit, the
/// faces of a grant and the threshold written into each voucher. While a window is released
/// and open, none of it may change: a pool re-split from 1 to 4 segments would open four fresh
/// windows beside the released one (people could hold a voucher from both), a raised limit
/// would let people claim again. `PoolShapes` (ClaimRedis) keeps the shape each pool was last
/// served with and refuses a change while one of its windows is live.
///
/// The quota is not part of it: a released window keeps the quota it was released with (reset
/// restores that one), and a new `stock_per_release` is for the windows not released yet.
public struct PoolShape: Hashable, Sendable, CustomStringConvertible {
    public var segments: Int
    public var limitPerWindow: Int
    public var facesFen: [Int]
    public var thresholdFen: Int

    public init(_ pool: Pool) {
        segments = pool.segmentCount
        limitPerWindow = pool.limitPerWindow
        facesFen = pool.bundleFen
        thresholdFen = pool.thresholdFen
    }

    /// `segments=1;limit=1;faces=50000;threshold=500000`: how it is stored.
    public var encoded: String {
        "segments=\(segments);limit=\(limitPerWindow);faces=\(facesFen.map(String.init).joined(separator: ","));"
            + "threshold=\(thresholdFen)"
    }

    /// Reads `encoded`; nil for anything else.
    public init?(encoded: String) {
        var fields: [Substring: Substring] = [:]
        for part in encoded.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            fields[kv[0]] = kv[1]
        }
        guard let s = fields["segments"].flatMap({ Int($0) }), let l = fields["limit"].flatMap({ Int($0) }),
            let f = fields["faces"]?.split(separator: ",").map({ Int($0) }), !f.isEmpty, !f.contains(nil),
            let t = fields["threshold"].flatMap({ Int($0) }), s >= 1
        else { return nil }
        segments = s
        limitPerWindow = l
        facesFen = f.compactMap { $0 }
        thresholdFen = t
    }

    /// What differs from `old`, in words (`segments 1 -> 4`); empty when nothing does.
    public func changes(from old: PoolShape) -> [String] {
        var out: [String] = []
        if segments != old.segments { out.append("segments \(old.segments) -> \(segments)") }
        if limitPerWindow != old.limitPerWindow {
            out.append("limit_per_window \(old.limitPerWindow) -> \(limitPerWindow)")
        }
        if facesFen != old.facesFen { out.append("faces \(old.facesFen) -> \(facesFen)") }
        if thresholdFen != old.thresholdFen { out.append("threshold_fen \(old.thresholdFen) -> \(thresholdFen)") }
        return out
    }

    /// The storage ids of a pool `id` split this way (`PoolSegment.storageID`).
    public func storageIDs(pool id: String) -> [String] {
        segments == 1 ? [id] : (0..<segments).map { "\(id).s\($0)" }
    }

    public var description: String { encoded }
}

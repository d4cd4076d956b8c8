import ClaimCore
import ClaimPOSIX
import Glibc
import Logging

/// swift-log handler writing one JSON object per line to stderr (or another descriptor):
/// `{"ts":"2026-11-25T13:00:00.000+08:00","level":"info","label":"claimgate","msg":"...", ...metadata}`.
/// Each line goes out in a single write(2), so lines from several threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let descriptor: Int32

    /// `descriptor`: where lines go (stderr by default); the caller owns it.
    public init(label: String, level: Logger.Level = .info, descriptor: Int32 = 2) {
        self.label = label
        self.logLevel = level
        self.descriptor = descriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("ts", CityCalendar.shenyang.iso8601(SystemClock().now()))
        w.field("level", event.level.rawValue)
        w.field("label", label)
        w.field("msg", "\(event.message)")
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) where !["ts", "level", "label", "msg"].contains(k) {
            w.field(k, "\(v)")
        }
        w.endObject()
        var line = w.bytes
        line.append(10)
        line.withUnsafeBytes { _ = Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}

import ClaimCore
import ClaimSetup
import Foundation

/// Every claim request and its answer, one JSON object per line (`claimload --history FILE`),
/// for `scripts/history-check.py`, a checker that shares no code with the gateway:
///
///     {"person":"u1","pool":"appliance-500","key":"r12","sent_us":1204,"answered_us":1733,
///      "status":201,"error":null,"vouchers":["appliance-500:2022-06-10:17"]}
///
/// `key` is the Idempotency-Key (null without one); an answer to a resend of the same request
/// is a line of its own with the same key; a request never answered is a line with status 0
/// and no `answered_us`, written at the end. Times are microseconds from the run's start. Lines are buffered and written in blocks.
final class ClaimHistory {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw SetupError("--history \(path): cannot create the file")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw SetupError("--history \(path): cannot open") }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    func record(
        person: String, pool: String, key: String?, sentAt: UInt64, answeredAt: UInt64?, status: Int, error: String?,
        vouchers: [String]
    ) {
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        w.field("person", person)
        w.field("pool", pool)
        if let key { w.field("key", key) } else { w.nullField("key") }
        w.field("sent_us", Int(sentAt / 1000))
        if let answeredAt { w.field("answered_us", Int(answeredAt / 1000)) }
        w.field("status", status)
        if let error { w.field("error", error) } else { w.nullField("error") }
        w.beginArray("vouchers")
        for v in vouchers { w.element(v) }
        w.endArray()
        w.endObject()
        buffer += w.bytes
        buffer.append(10)
        if buffer.count > 1 << 20 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        try? handle.close()
    }
}

/// A request read in place, lent to a handler for the duration of one call
/// (`HTTPConnection.nextRequest`): its head and the bytes the head's positions point into.
///
/// Ownership: `bytes` is the connection's receive buffer, borrowed for that call only; the
/// connection may move or reuse it as soon as the handler returns. Every accessor is a slice
/// of it, so nothing is copied unless asked for: copy out (`HTTPRequest(_:)`, `String(decoding:)`)
/// whatever must outlive the call.
public struct HTTPRequestView {
    public let head: HTTPRequestHead
    public let bytes: UnsafeRawBufferPointer

    public init(head: HTTPRequestHead, bytes: UnsafeRawBufferPointer) {
        self.head = head
        self.bytes = bytes
    }

    public var method: HTTPMethod { head.method }
    public var keepAlive: Bool { head.keepAlive }
    public var path: UnsafeRawBufferPointer { slice(head.path) }
    /// The value of the field the parser was asked for at index `i`, nil if absent.
    public func field(_ i: Int) -> UnsafeRawBufferPointer? { head.fields[i].map(slice) }
    public var body: UnsafeRawBufferPointer { slice(head.body) }

    private func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[r]) }
}

/// A failed system call: which one and its errno.
public struct POSIXError: Error, Hashable, Sendable, CustomStringConvertible {
    public let call: String
    public let code: Int32

    public init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call): errno \(code)" }
}

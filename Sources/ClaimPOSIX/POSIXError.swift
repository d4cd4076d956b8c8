import Glibc

/// A failed system call: which one and its errno.
public struct POSIXError: Error, Hashable, Sendable, CustomStringConvertible {
    public let call: String
    public let code: Int32

    public init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call): \(reason) (errno \(code))" }

    /// The system's words for the code, lowercased as a message continues them
    /// (`connection refused`).
    public var reason: String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

/// The outcome of a non-blocking read or write that did not fail.
public enum IOResult: Hashable, Sendable {
    /// This many bytes moved (always > 0).
    case transferred(Int)
    /// The socket has nothing now (EAGAIN): wait for epoll.
    case wouldBlock
    /// The peer closed its side (read returned 0).
    case endOfFile
}

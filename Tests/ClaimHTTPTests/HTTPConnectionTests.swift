import ClaimPOSIX
import Glibc
import Testing

@testable import ClaimHTTP

/// Answers go out in request order whatever order they are given in, over a real socket pair.
@Suite struct HTTPConnectionTests {
    /// A connection on one end of a socket pair, and what the other end reads after a flush.
    final class Pair {
        let conn: HTTPConnection
        let peer: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
                throw POSIXError("socketpair", errno)
            }
            conn = HTTPConnection(fd: fds[0], id: 1, now: 0)
            peer = fds[1]
        }

        deinit {
            close(conn.fd)
            close(peer)
        }

        func written() throws -> String {
            _ = try conn.flush()
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = recv(peer, &buf, buf.count, Int32(MSG_DONTWAIT))
            return n > 0 ? String(decoding: buf[..<n], as: UTF8.self) : ""
        }
    }

    @Test(arguments: [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]])
    func answersLeaveInRequestOrder(_ order: [Int]) throws {
        let p = try Pair()
        let seqs = (0..<3).map { _ in p.conn.reserveSlot() }
        var out = ""
        for i in order {
            p.conn.complete(seqs[i], now: 0, Array("<\(i)>".utf8))
            out += try p.written()
        }
        #expect(out == "<0><1><2>")
        #expect(p.conn.inFlight == 0)
    }

    @Test func anAnswerDueNowIsWrittenAndOneBehindWaits() throws {
        let p = try Pair()
        let a = p.conn.reserveSlot()
        let b = p.conn.reserveSlot()
        p.conn.complete(b, now: 0) { $0 += Array("b".utf8) }
        #expect(try p.written() == "")
        #expect(p.conn.inFlight == 2)
        p.conn.complete(a, now: 0) { $0 += Array("a".utf8) }
        #expect(try p.written() == "ab")
        // Unknown and repeated sequence numbers are ignored.
        p.conn.complete(a, now: 0, Array("again".utf8))
        p.conn.complete(99, now: 0, Array("never".utf8))
        #expect(try p.written() == "")
        let c = p.conn.reserveSlot()
        p.conn.complete(c, now: 0, Array("c".utf8))
        #expect(try p.written() == "c")
    }

    @Test func itIsFinishedOnlyWhenStoppedAnsweredAndWritten() throws {
        let p = try Pair()
        let a = p.conn.reserveSlot()
        p.conn.stop()
        #expect(!p.conn.isFinished)
        p.conn.complete(a, now: 0, Array("x".utf8))
        #expect(!p.conn.isFinished)
        _ = try p.written()
        #expect(p.conn.isFinished)
    }
}

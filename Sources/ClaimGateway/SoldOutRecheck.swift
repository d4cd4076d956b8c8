import ClaimCore
import ClaimRedis

/// Asks Redis whether a window marked sold out has stock again (an operator's reset): one
/// `HGET left`; stock unmarks it. No client waits for it, so a failure changes nothing.
final class SoldOutRecheck: RedisCallOwner {
    let pool: Int
    let segment: Int
    let window: ReleaseWindow
    private let key: [UInt8]
    private let answers: ClaimAnswers

    init(pool: Int, segment: Int, window: ReleaseWindow, answers: ClaimAnswers, programme: Programme) {
        self.pool = pool
        self.segment = segment
        self.window = window
        self.answers = answers
        let storage = PoolSegment(pool: programme.pools[pool], index: segment).storageID
        key = Array(PoolKeys(pool: storage).window(window.id).utf8)
    }

    var slot: Int { HashSlot.of(key) }

    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        RESPEncoder.append([Array("HGET".utf8), key, Array("left".utf8)], to: &out)
    }

    func replied(tag: Int, owned reply: RedisReply) {
        if let left = reply.integer, left > 0 { answers.restocked(pool: pool, segment: segment, windowID: window.id) }
    }

    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {}
}

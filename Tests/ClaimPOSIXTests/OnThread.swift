import Foundation

/// Runs `body` on a thread of its own and returns what it returned: thread attributes (CPU
/// affinity, scheduling policy) set there must not outlive the test on the runner's thread.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Thread {
        box.value = body()
        done.signal()
    }.start()
    done.wait()
    return box.value!
}

/// A value handed from the worker thread to the waiting test (the semaphore orders the access).
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

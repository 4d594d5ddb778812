import Dispatch

/// A value worked out on another thread while the caller goes on with other work; `value` waits for it. The
/// DispatchGroup orders the write before every read (ThreadSanitizer sees libdispatch's synchronisation).
final class Background<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let group = DispatchGroup()

    init(_ work: @escaping @Sendable () -> Value) {
        group.enter()
        DispatchQueue.global().async {
            self.result = work()
            self.group.leave()
        }
    }

    /// The value, once the work is done (waits for it the first time).
    var value: Value {
        group.wait()
        return result!
    }
}

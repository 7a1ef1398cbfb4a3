// PosixLock: a value guarded by a pthread mutex. Synchronization.Mutex would do the same job,
// but on Linux it is a futex in the prebuilt (uninstrumented) standard library, so
// ThreadSanitizer cannot see it and reports every access it guards as a race; a pthread mutex
// is intercepted, which keeps the C ABI's sanitizer runs (scripts/test-sanitizers.sh) meaningful.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `value`, reachable only inside `withLock`.
final class PosixLock<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value with the mutex held.
    func withLock<Result>(_ body: (inout Value) throws(VAEGANError) -> Result) throws(VAEGANError) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs a non-throwing `body` on the value with the mutex held.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}

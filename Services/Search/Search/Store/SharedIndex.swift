#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The index searches read together while the follower changes it in place, alone: a readers–writer lock, so that
/// a change costs what it changes instead of a copy of the whole index. On Linux the lock prefers the writer, so that
/// a steady stream of searches cannot keep a change out.
final class SharedIndex: @unchecked Sendable {
    private var index = TextIndex()
    /// Whether the follower has read the documents at least once.
    private var loaded = false
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() {
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if os(Linux)
            pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    var isLoaded: Bool {
        read { _ in loaded }
    }

    /// Runs `body` on the index; `body` must not keep it (a copy kept would make the next change copy it all).
    func read<Result>(_ body: (TextIndex) throws -> Result) rethrows -> Result {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(index)
    }

    /// Changes the index in place while no search reads it.
    func write<Result>(_ body: (inout TextIndex) throws -> Result) rethrows -> Result {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&index)
    }

    /// The follower read every document once: the index is whole from now on.
    func markLoaded() {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        loaded = true
    }
}

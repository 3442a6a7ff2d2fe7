import CCurl
import NIOConcurrencyHelpers

/// libcurl handles kept between transfers, so that each keeps its connection open for the next (libcurl reuses a
/// handle's connection while the server keeps it, and opens a new one when the server closed it). There are as many
/// as transfers ran at once; a handle is used by one transfer at a time.
/// (Unchecked: libcurl's handles are plain pointers, kept under the lock and used by one transfer at a time.)
final class CurlHandles: @unchecked Sendable {
    private let idle = NIOLockedValueBox<[UnsafeMutableRawPointer]>([])

    /// An idle handle, or a new one.
    func take() -> UnsafeMutableRawPointer? {
        idle.withLockedValue { $0.popLast() } ?? curl_easy_init()
    }

    /// Keeps `handle` for the next transfer: its options are cleared (they point into the finished transfer), its
    /// connection and caches stay.
    func giveBack(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        idle.withLockedValue { $0.append(handle) }
    }

    /// Closes `handle` and its connection.
    func discard(_ handle: UnsafeMutableRawPointer) {
        curl_easy_cleanup(handle)
    }

    deinit {
        for handle in idle.withLockedValue({ $0 }) { curl_easy_cleanup(handle) }
    }
}

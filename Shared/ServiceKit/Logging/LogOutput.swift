import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where log lines go: a file descriptor, standard output unless a test gives another. A line logged on one of NIO's
/// event loops below `notice` waits in that loop's buffer until the loop has handled the events at hand, and the
/// turn's lines then go out in one write, as the gateway's Redis connection sends a turn's commands: the gateway logs a
/// line for every request it proxies, and a system call for each was 7 % of its time in the kernel. A write is at most
/// `PIPE_BUF` bytes, which a pipe never interleaves with another thread's writes (and a file's offset moves
/// atomically); lines at `notice` and above, lines logged off the loops and longer lines go out at once, after the
/// thread's buffered ones, so that a thread's lines keep their order and a warning is never held back.
public struct LogOutput: Sendable {
    let fileDescriptor: Int32

    public static let standardOutput = LogOutput(fileDescriptor: STDOUT_FILENO)

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    func write(_ line: [UInt8], level: Logger.Level) {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return writeNow(line) }
        let pending = Self.pending.currentValue ?? Self.makePending()
        guard level < .notice, line.count <= Int(PIPE_BUF) else {
            pending.flush()
            return writeNow(line)
        }
        if pending.fileDescriptor != fileDescriptor || pending.bytes.count + line.count > Int(PIPE_BUF) { pending.flush() }
        pending.fileDescriptor = fileDescriptor
        pending.bytes.append(contentsOf: line)
        if !pending.flushScheduled {
            pending.flushScheduled = true
            // Tasks run once the loop has handled the socket events at hand.
            loop.assumeIsolated().execute {
                pending.flushScheduled = false
                pending.flush()
            }
        }
    }

    private func writeNow(_ line: [UInt8]) {
        if line.count <= Int(PIPE_BUF) {
            Self.write(line, to: fileDescriptor)
        } else {
            // Written in as many calls as it takes: under the lock, so that no other long line comes between them.
            Self.longLines.withLock { Self.write(line, to: fileDescriptor) }
        }
    }

    /// The lines of one loop's turn, touched only by that loop's thread.
    private final class Pending: @unchecked Sendable {
        var fileDescriptor: Int32 = -1
        var bytes: [UInt8] = []
        var flushScheduled = false

        init() {
            bytes.reserveCapacity(Int(PIPE_BUF))
        }

        func flush() {
            guard !bytes.isEmpty else { return }
            LogOutput.write(bytes, to: fileDescriptor)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    private static let pending = ThreadSpecificVariable<Pending>()
    private static let longLines = NIOLock()

    private static func makePending() -> Pending {
        let made = Pending()
        pending.currentValue = made
        return made
    }

    private static func write(_ bytes: [UInt8], to fileDescriptor: Int32) {
        bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

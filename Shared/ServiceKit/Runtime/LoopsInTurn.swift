import Dispatch
import NIOCore
import NIOPosix

/// NIO's loops, each asked for in turn. `MultiThreadedEventLoopGroup.any()` answers the loop it is asked from, so
/// where the loops are Swift's global executor (``ServiceMain/runTasksOnEventLoops()``), a pool that opens its
/// connections from a task puts them all on that task's loop: every reply then wakes that one loop, and the tasks
/// it resumes run there too, one core's worth for the whole service.
public final class LoopsInTurn: EventLoopGroup, Sendable {
    public static let shared = LoopsInTurn(.singleton)

    private let loops: MultiThreadedEventLoopGroup

    public init(_ loops: MultiThreadedEventLoopGroup) {
        self.loops = loops
    }

    public func next() -> any EventLoop { loops.next() }

    public func any() -> any EventLoop { loops.next() }

    public func makeIterator() -> EventLoopIterator { loops.makeIterator() }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        loops.shutdownGracefully(queue: queue, callback)
    }
}

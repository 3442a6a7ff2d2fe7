import Dispatch
import NIOCore
import NIOPosix
import Synchronization

/// NIO's loops, each asked for in turn. `MultiThreadedEventLoopGroup.any()` answers the loop it is asked from, so
/// where the loops are Swift's global executor (``ServiceMain/runTasksOnEventLoops()``), a pool that opens its
/// connections from a task puts them all on that task's loop: every reply then wakes that one loop, and the tasks
/// it resumes run there too, one core's worth for the whole service. The turn is this group's own: the loops' group
/// also turns for every socket its servers accept, and connections opened between accepts (a pool growing under
/// load) could land on one loop again.
public final class LoopsInTurn: EventLoopGroup, Sendable {
    public static let shared = LoopsInTurn(.singleton)

    private let loops: MultiThreadedEventLoopGroup
    private let each: [any EventLoop]
    private let turn = Atomic<UInt>(0)

    public init(_ loops: MultiThreadedEventLoopGroup) {
        self.loops = loops
        each = Array(loops.makeIterator())
    }

    public func next() -> any EventLoop {
        each[Int(turn.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(each.count))]
    }

    public func any() -> any EventLoop { next() }

    public func makeIterator() -> EventLoopIterator { loops.makeIterator() }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        loops.shutdownGracefully(queue: queue, callback)
    }
}

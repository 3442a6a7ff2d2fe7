import NIOCore
import NIOPosix
import ServiceKit
import Testing

struct LoopsInTurnTests {
    /// Asked from one of the loops, as a connection pool running on them asks, `any()` still hands out each loop in
    /// turn, where the group's own `any()` answers the asking loop every time.
    @Test func anyHandsOutEveryLoopInTurnEvenWhenAskedFromOne() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let loops = LoopsInTurn(group)
        let asking = group.next()
        let (inTurn, own) = try await asking.submit {
            (Set((0..<6).map { _ in ObjectIdentifier(loops.any()) }), Set((0..<6).map { _ in ObjectIdentifier(group.any()) }))
        }.get()
        #expect(inTurn == Set(group.makeIterator().map { ObjectIdentifier($0) }))
        #expect(own == [ObjectIdentifier(asking)])
        try await group.shutdownGracefully()
    }
}

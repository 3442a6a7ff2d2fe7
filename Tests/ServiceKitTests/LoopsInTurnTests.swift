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

    /// The turn is its own: sockets accepted in between (which turn the group's) do not put every connection opened
    /// between two accepts on the same loop.
    @Test func theTurnIsNotTheGroups() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = LoopsInTurn(group)
        let handedOut = (0..<4).map { _ in
            _ = group.next()
            return ObjectIdentifier(loops.next())
        }
        #expect(Set(handedOut).count == 2)
        #expect(handedOut[0] != handedOut[1] && handedOut[0] == handedOut[2])
        try await group.shutdownGracefully()
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

@testable import Redis

@Suite struct RedisClientTests {
    let logger = Logger(label: "redis-test")

    func makeClient(_ endpoint: RedisEndpoint? = nil) throws -> RedisClient {
        let endpoint = try endpoint ?? RedisEndpoint(url: URL(string: TestEnvironment.redisURL)!)
        return RedisClient(
            configuration: .init(endpoint: endpoint, connections: 2, minimumBackoff: .milliseconds(50), maximumBackoff: .milliseconds(200)),
            logger: logger
        )
    }

    func key(_ name: String) -> RedisArgument {
        RedisArgument("test:\(name):\(UUID().uuidString)")
    }

    @Test func valuesAreBinarySafe() async throws {
        let redis = try makeClient()
        let bytes: [UInt8] = [0, 13, 10, 36, 42, 255, 0, 1, 13, 10]
        let key = key("binary")
        try await redis.send("SET", key, RedisArgument(bytes))
        #expect(try await redis.send("GET", key).bytes == bytes)
        #expect(try await redis.send("STRLEN", key).int == bytes.count)
        let text = "cenote \"tour\"\r\n in Tulum ✓"
        try await redis.send("SET", key, RedisArgument(text))
        #expect(try await redis.send("GET", key).string == text)
        #expect(try await redis.send("GET", self.key("missing")).isNull)
        await #expect(throws: RedisError.self) { try await redis.send("INCR", key) }
    }

    @Test func pipelinesAnswerInOrder() async throws {
        let redis = try makeClient()
        let counter = key("counter")
        let replies = try await redis.pipeline((1...200).map { _ in ["INCR", counter] })
        #expect(replies.map(\.int) == (1...200).map { $0 })
        async let first = redis.send("INCR", counter)
        async let second = redis.send("INCR", counter)
        let both = try await [first.int!, second.int!].sorted()
        #expect(both == [201, 202])
        let mixed = try await redis.pipeline([["SET", counter, "x"], ["INCR", counter], ["GET", counter]])
        #expect(mixed[0] == .status("OK"))
        #expect(mixed[1].isError)
        #expect(mixed[2].string == "x")
        // Nothing to send answers at once, and the connection stays (it used to wait out the command timeout).
        #expect(try await redis.pipeline([]).isEmpty)
        #expect(try await redis.send("GET", counter).string == "x")
    }

    @Test func scriptsLoadThemselvesWhenTheServerForgot() async throws {
        let redis = try makeClient()
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await redis.send("SCRIPT", "FLUSH")
        let key = key("script")
        #expect(try await redis.run(script, keys: [key], arguments: [5]).int == 5)
        #expect(try await redis.send("SCRIPT", "EXISTS", RedisArgument(script.sha1)).array == [.integer(1)])
        #expect(try await redis.run(script, keys: [key], arguments: [2]).int == 7)
    }

    @Test func subscribersReceiveWhatIsPublished() async throws {
        let endpoint = try RedisEndpoint(url: URL(string: TestEnvironment.redisURL)!)
        let subscriber = RedisSubscriber(configuration: .init(endpoint: endpoint), logger: logger)
        let redis = try makeClient()
        let channel = "test:channel:\(UUID().uuidString)"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            try await subscriber.subscribe([channel])
            #expect(await eventually { subscriber.isConnected })
            // Publish until the subscription is live on the server.
            #expect(try await eventually { try await redis.send("PUBLISH", RedisArgument(channel), "ping").int == 1 })
            try await redis.send("PUBLISH", RedisArgument(channel), "hola")
            var received: [String] = []
            for await message in subscriber.messages where message.channel == channel {
                received.append(message.text)
                if message.text == "hola" { break }
            }
            #expect(received.last == "hola")
            group.cancelAll()
        }
    }

    @Test(.timeLimit(.minutes(1))) func commandsWithoutReplyTimeOut() async throws {
        // A server that takes the connection and never answers.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let redis = RedisClient(
            configuration: .init(
                endpoint: RedisEndpoint(host: "127.0.0.1", port: silent.localAddress!.port!), connections: 1,
                commandTimeout: .milliseconds(300)
            ),
            logger: logger
        )
        @Sendable func failure(of command: RedisArgument) async -> RedisError? {
            do {
                _ = try await redis.send(command, "key")
                return nil
            } catch {
                return error as? RedisError
            }
        }
        let start = ContinuousClock.now
        async let first = failure(of: "GET")
        async let second = failure(of: "TTL")
        let failures = await [first, second]
        let elapsed = ContinuousClock.now - start
        #expect(failures == [.timeout, .timeout])
        // Not before the timeout. A hang is caught by the test's time limit: an upper bound on the wall clock would
        // only measure how busy the suite keeps the machine's two cores.
        #expect(elapsed >= .milliseconds(300))
        // The connection is closed (a late reply would be misread): the next command times out on a new one.
        await #expect(throws: RedisError.timeout) { try await redis.send("PING") }
    }

    @Test func recoversWhenTheServerRestarts() async throws {
        let server = try PrivateRedis()
        let redis = try makeClient(RedisEndpoint(host: "127.0.0.1", port: server.port))
        #expect(await eventually { (try? await redis.send("PING")) == .status("PONG") })
        try await redis.send("SET", "before", "1")

        await server.stop()
        await #expect(throws: RedisError.self) { try await redis.send("GET", "before") }
        await #expect(throws: RedisError.self) { try await redis.send("GET", "before") }

        try server.start()
        #expect(await eventually(timeout: .seconds(30)) { (try? await redis.send("PING")) == .status("PONG") })
        // A new server without persistence: the old value is gone, the client works.
        #expect(try await redis.send("GET", "before").isNull)
        try await redis.send("SET", "after", "2")
        #expect(try await redis.send("GET", "after").string == "2")
        await server.stop()
    }

    /// Given the loops, a caller on one of them is given a connection of that loop, the loop's connections in its own
    /// turn, and the others after them; a caller off the loops takes every connection in the client's turn. Each
    /// connection is opened on its slot's loop.
    @Test func aCallerOnALoopIsGivenItsLoopsConnectionsFirst() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let endpoint = try RedisEndpoint(url: URL(string: TestEnvironment.redisURL)!)
        let redis = RedisClient(configuration: .init(endpoint: endpoint, connections: 4), logger: logger, loops: group)
        let slotsOf = { (loop: any EventLoop) in redis.slots.indices.filter { redis.slots[$0].loop === loop } }
        for loop in group.makeIterator() {
            let orders = try await loop.submit { (0..<4).map { _ in Array(redis.order()) } }.get()
            #expect(orders.allSatisfy { $0.sorted() == Array(redis.slots.indices) })
            let own = slotsOf(loop)
            #expect(orders.map { $0[0] } == (0..<4).map { own[$0 % own.count] }, "loop of slots \(own)")
        }
        // Two loops asking in alternation each still walk their own connections.
        let loops = Array(group.makeIterator())
        var firsts: [Int] = []
        for _ in 0..<4 {
            for loop in loops.prefix(2) { firsts.append(try await loop.submit { redis.order()[0] }.get()) }
        }
        #expect(firsts == [0, 1, 3, 1, 0, 1, 3, 1])
        #expect((0..<5).map { _ in redis.order()[0] } == [0, 1, 2, 3, 0])
        for slot in redis.slots {
            #expect(try await slot.connection().channel.eventLoop === slot.loop)
        }
        #expect(try await redis.send("PING") == .status("PONG"))
        for slot in redis.slots { await slot.close() }
        try await group.shutdownGracefully()
    }
}

extension RedisValue {
    var isError: Bool {
        if case .error = self { true } else { false }
    }
}

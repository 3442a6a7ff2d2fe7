import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import ServiceKit

@Suite struct JSONLogHandlerTests {
    @Test(arguments: [0, 1_763_890_000.123, 1_700_000_000.5, 951_782_400.999])
    func timestampsAreISO8601UTCWithMilliseconds(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(JSONLogHandler.timestamp(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    @Test func stringsAreEscapedForJSON() throws {
        var line: [UInt8] = []
        JSONLogHandler.appendString("quote \" backslash \\ newline \n tab \t bell \u{7} café ✓", to: &line)
        let decoded = try JSONDecoder().decode(String.self, from: Data(line))
        #expect(decoded == "quote \" backslash \\ newline \n tab \t bell \u{7} café ✓")
    }
}

/// Where the lines go: a pipe read without waiting.
@Suite struct LogOutputTests {
    @Test func linesLoggedOnALoopGoOutTogetherOnceItsTurnEnds() throws {
        let (logger, pipe) = try Self.logger()
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? loops.syncShutdownGracefully() }
        let loop = loops.next()
        let duringTheTurn = try loop.submit {
            logger.info("one")
            logger.info("two")
            let written = Self.messages(readFrom: pipe)
            logger.info("three")
            return written
        }.wait()
        #expect(duringTheTurn == [])
        try loop.submit {}.wait()
        #expect(Self.messages(readFrom: pipe) == ["one", "two", "three"])
    }

    @Test func aWarningGoesOutAtOnceAfterTheLinesBeforeIt() throws {
        let (logger, pipe) = try Self.logger()
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? loops.syncShutdownGracefully() }
        let duringTheTurn = try loops.next().submit {
            logger.info("one")
            logger.warning("two")
            return Self.messages(readFrom: pipe)
        }.wait()
        #expect(duringTheTurn == ["one", "two"])
    }

    @Test func linesLoggedOffTheLoopsGoOutAtOnce() throws {
        try #require(MultiThreadedEventLoopGroup.currentEventLoop == nil)
        let (logger, pipe) = try Self.logger()
        logger.info("one")
        #expect(Self.messages(readFrom: pipe) == ["one"])
    }

    /// A logger writing to a pipe, and the pipe's end to read.
    private static func logger() throws -> (Logger, Pipe) {
        let pipe = Pipe()
        let readEnd = pipe.fileHandleForReading.fileDescriptor
        try #require(fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK) == 0)
        let output = LogOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        return (Logger(label: "test") { _ in JSONLogHandler(service: "test", level: .info, output: output) }, pipe)
    }

    /// The messages of the lines the pipe holds now.
    private static func messages(readFrom pipe: Pipe) -> [String] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = read(pipe.fileHandleForReading.fileDescriptor, &chunk, chunk.count), count > 0 {
            bytes += chunk[..<count]
        }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])?["message"] as? String
        }
    }
}

import Foundation
import HTTPTypes
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
    static func logger() throws -> (Logger, Pipe) {
        let pipe = Pipe()
        let readEnd = pipe.fileHandleForReading.fileDescriptor
        try #require(fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK) == 0)
        let output = LogOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        return (Logger(label: "test") { _ in JSONLogHandler(service: "test", level: .info, output: output) }, pipe)
    }

    /// The messages of the lines the pipe holds now.
    private static func messages(readFrom pipe: Pipe) -> [String] {
        lines(readFrom: pipe).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["message"] as? String
        }
    }

    /// The lines the pipe holds now.
    static func lines(readFrom pipe: Pipe) -> [String] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = read(pipe.fileHandleForReading.fileDescriptor, &chunk, chunk.count), count > 0 {
            bytes += chunk[..<count]
        }
        return bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }
}

@Suite struct AccessLogTests {
    /// The line after its timestamp, which is all that differs between two lines written one after the other.
    private static func untimed(_ line: String) -> String {
        String(line.drop { $0 != "," })
    }

    @Test func theLineWrittenWithoutADictionaryIsTheOneTheHandlerWritesFromMetadata() throws {
        let (logger, pipe) = try LogOutputTests.logger()
        AccessLog.record(
            logger, method: .get, path: "/api/v1/bookings", status: .ok, bytes: 512, duration: .microseconds(1500),
            upstream: "booking 127.0.0.1:8082", upstreamDuration: .microseconds(1250), userID: "u-1", requestID: "r-\"1\""
        )
        logger.info(
            "request",
            metadata: [
                "method": "GET", "path": "/api/v1/bookings", "status": "200", "bytes": "512", "durationMs": "1.5",
                "upstream": "booking 127.0.0.1:8082", "upstreamMs": "1.25", "userId": "u-1", "requestId": "r-\"1\"",
            ])
        let lines = LogOutputTests.lines(readFrom: pipe)
        try #require(lines.count == 2)
        #expect(Self.untimed(lines[0]) == Self.untimed(lines[1]))
        let fields = [
            #""bytes":"512","durationMs":"1.5","method":"GET","path":"/api/v1/bookings","requestId":"r-\"1\"","status":"200""#,
            #""upstream":"booking 127.0.0.1:8082","upstreamMs":"1.25","userId":"u-1"}"#,
        ]
        #expect(lines[0].hasSuffix(fields.joined(separator: ",")))
    }

    @Test func theHandlersOwnMetadataJoinsTheLine() throws {
        var (logger, pipe) = try LogOutputTests.logger()
        logger[metadataKey: "instance"] = "gateway-1"
        AccessLog.record(logger, method: .post, path: "/api/v1/auth/login", status: .unauthorized, bytes: nil, duration: .milliseconds(2))
        let line = try #require(LogOutputTests.lines(readFrom: pipe).first)
        #expect(line.hasSuffix(#""durationMs":"2.0","instance":"gateway-1","method":"POST","path":"/api/v1/auth/login","status":"401"}"#))
    }

    @Test func nothingIsWrittenBelowTheLoggersLevel() throws {
        var (logger, pipe) = try LogOutputTests.logger()
        logger.logLevel = .notice
        AccessLog.record(logger, method: .get, path: "/health", status: .ok, bytes: 2, duration: .milliseconds(1))
        #expect(LogOutputTests.lines(readFrom: pipe).isEmpty)
    }
}

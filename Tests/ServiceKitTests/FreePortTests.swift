import TestSupport
import Testing

/// A `Stack` asks for the ports of its eight processes before any of them binds one: CI saw Auth fail to start
/// with "Address already in use" when two of them were given the same.
@Test func freePortsAreNeverHandedOutTwice() throws {
    // 2 000 draws from 12 000 ports would repeat one about 166 times if each were drawn on its own.
    let ports = try (0..<2_000).map { _ in try TestEnvironment.freePort() }
    #expect(Set(ports).count == ports.count)
}

import Auth
import Contracts
import ServiceKit

if CommandLine.arguments.dropFirst().first == "rotate-signing-key" {
    await ServiceMain.command(.auth) { configuration in
        "New signing key: \(try await rotateSigningKey(configuration: configuration))"
    }
} else {
    await ServiceMain.run(.auth, build: { try await buildApplication(configuration: $0) })
}

import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool: a hash at cost 12 takes a quarter of a second, which must not stall an event loop.
struct Passwords: Sendable {
    let cost: UInt8
    let policy: PasswordPolicy

    /// A hash of no one's password, checked when an email is unknown so that the answer takes as long as for a
    /// known one.
    private let decoy: String

    init(cost: UInt8, policy: PasswordPolicy = .standard) {
        self.cost = cost
        self.policy = policy
        decoy = Bcrypt.hash(SecretToken.make(), cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash (an unknown email, a social-only account) the decoy is
    /// checked and the answer is `false`.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let candidate = hash ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: candidate) }
        return matches && hash != nil
    }
}

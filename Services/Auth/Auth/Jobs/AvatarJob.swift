import Logging
import ServiceKit

/// Makes the sizes of uploaded avatars on the image pool, claimed with `SKIP LOCKED` and a lease so that several
/// instances share the work and a crashed one's upload comes back.
struct AvatarJob: PeriodicWork {
    let auth: AuthService

    func runOnce() async {
        do {
            for _ in 0..<8 where try await auth.makeNextAvatar() {}
        } catch {
            auth.logger.warning("Avatar job failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }
}

import Logging
import ServiceKit

/// Erases the accounts whose grace period is over, one transaction each, claimed with `SKIP LOCKED` so that several
/// instances share the work.
struct AccountErasures: PeriodicWork {
    let auth: AuthService

    func runOnce() async {
        do {
            while try await auth.eraseNextDueAccount() {}
        } catch {
            auth.logger.warning("Account erasure failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }
}

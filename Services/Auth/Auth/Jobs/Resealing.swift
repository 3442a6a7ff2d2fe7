import Logging
import ServiceKit

/// Seals again, with the current data key, the signing keys and TOTP secrets still under an older one (or stored
/// before encryption): after a `DATA_ENCRYPTION_KEY` rotation, once this has run, the old key can be dropped.
struct Resealing: PeriodicWork {
    let keys: KeyRing
    let users: Users
    let logger: Logger

    func runOnce() async {
        do {
            let resealed = try await keys.reseal() + users.resealTOTPSecrets()
            if resealed > 0 { logger.notice("Sealed secrets again with the current data key", metadata: ["count": "\(resealed)"]) }
        } catch {
            logger.warning("Cannot reseal secrets yet", metadata: ["error": "\(error)"])
        }
    }
}

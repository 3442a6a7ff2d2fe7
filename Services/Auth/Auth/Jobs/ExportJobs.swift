import Logging
import ServiceKit

/// Makes the exports people asked for, one at a time per instance (claimed with `SKIP LOCKED` and a lease), and
/// deletes the archives that were downloaded or whose link expired.
struct ExportJobs: PeriodicWork {
    let auth: AuthService

    func runOnce() async {
        do {
            while try await auth.makeNextExport() {}
            try await auth.sweepExports()
        } catch {
            auth.logger.warning("Export job failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }
}

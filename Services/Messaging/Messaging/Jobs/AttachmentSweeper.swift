import Foundation
import Logging
import ServiceKit

/// Forgets uploads that were never sent in a message within a day, and their bytes when no other upload has the same.
struct AttachmentSweeper: PeriodicWork {
    let attachments: Attachments
    let files: AttachmentFiles
    let clock: WallClock
    let logger: Logger
    /// How long an upload waits to be sent.
    var keep: Duration = .seconds(86_400)

    func runOnce() async {
        do {
            let unused = try await attachments.forgetUnsent(before: clock.now().addingTimeInterval(-keep.milliseconds / 1000))
            for sha256 in unused { try await files.delete(sha256) }
            if !unused.isEmpty { logger.info("Unsent uploads forgotten", metadata: ["files": "\(unused.count)"]) }
        } catch {
            logger.warning("Unsent uploads not swept; trying next round", metadata: ["error": "\(error)"])
        }
    }
}

import Foundation
import HTTPTypes
import ServiceKit

/// What one user may upload in a day (a rolling 24 hours): a number of attachments and a number of bytes, so that
/// attachments cannot be used as free storage or to fill the disk.
struct AttachmentQuota: Sendable {
    var perDay = 100
    var bytesPerDay: Int64 = 200 << 20

    /// The bytes the next upload may have, given what the user uploaded in the last day; a 429 naming the limit
    /// when nothing more may come.
    func allowance(used count: Int, bytes: Int64) throws -> Int64 {
        guard count < perDay else {
            throw Self.refusal("At most \(perDay) attachments a day: try again later.")
        }
        guard bytes < bytesPerDay else {
            throw Self.refusal("At most \(bytesPerDay) bytes of attachments a day: try again later.")
        }
        return bytesPerDay - bytes
    }

    static func refusal(_ detail: String) -> Problem {
        Problem(.tooManyRequests, detail: detail, code: "quota_exceeded", headers: [.retryAfter: "3600"])
    }
}

import Contracts
import Foundation

extension ResponseStats {
    /// How long back a user's answers count, as Airbnb's response rate looks back.
    static let period: TimeInterval = 90 * 86_400

    /// The stats of `userID` from how many others wrote in (`asked`), how many of those were answered within a day,
    /// and the median seconds to the first answer; rate and time are `nil` when nobody wrote in.
    init(userID: UUID, asked: Int, answeredInADay: Int, medianSeconds: Double?) {
        self.init(
            userId: userID, conversations: asked,
            responseRate: asked == 0 ? nil : (Double(answeredInADay) / Double(asked) * 100).rounded() / 100,
            responseTimeMinutes: asked == 0 ? nil : medianSeconds.map { Int(($0 / 60).rounded()) }
        )
    }
}

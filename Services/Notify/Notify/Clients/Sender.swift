import Foundation

/// One way out for email, SMS or push: a real provider, or the local mailbox.
protocol Sender: Sendable {
    /// How deliveries name it: `smtp`, `sendgrid`, `twilio`, `fcm`, `mailbox`.
    var name: String { get }

    /// Sends `message` to `address` (an email address, a phone number, a device token). `key` names this delivery
    /// for the provider, so that a repeat after a crash can be recognised. Returns the provider's answer.
    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String
}

/// A send that did not work. Permanent: asking again cannot help (a refused address, a bad request); otherwise
/// the job is tried again later.
struct SendFailure: Error, CustomStringConvertible {
    var isPermanent: Bool
    var description: String

    /// The usual reading of an HTTP provider's status: 4xx but 408 and 429 cannot succeed by asking again.
    static func http(_ status: UInt, _ body: String) -> SendFailure {
        SendFailure(isPermanent: (400..<500).contains(status) && status != 408 && status != 429, description: "HTTP \(status): \(body.prefix(500))")
    }
}

import Foundation
import ServiceKit

/// One way out for email, SMS or push: a real provider, or the local mailbox.
protocol Sender: Sendable {
    /// How deliveries name it: `smtp`, `sendgrid`, `twilio`, `fcm`, `mailbox`.
    var name: String { get }

    /// Sends `message` to `address` (an email address, a phone number, a device token). `key` names this delivery
    /// for the provider, so that a repeat after a crash can be recognised. Returns the provider's answer.
    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String

    /// Sends the messages of several jobs, job after job: for each job, the provider's answer to each of its messages,
    /// or nil when the job was not started because `deadline` had passed or the task was cancelled.
    func send(_ jobs: [[Outgoing]], startingBy deadline: Date, clock: WallClock) async -> [[Result<String, any Error>]?]
}

/// A message on its way to one address, `key` naming the delivery (see ``Sender/send(_:to:key:)``).
struct Outgoing: Sendable {
    var message: RenderedMessage
    var address: String
    var key: String
}

extension Sender {
    /// One message at a time, as a provider's HTTP API takes them.
    func send(_ jobs: [[Outgoing]], startingBy deadline: Date, clock: WallClock) async -> [[Result<String, any Error>]?] {
        var answers: [[Result<String, any Error>]?] = []
        for messages in jobs {
            guard !Task.isCancelled, clock.now() <= deadline else {
                answers.append(nil)
                continue
            }
            var answered: [Result<String, any Error>] = []
            for outgoing in messages {
                do {
                    answered.append(.success(try await send(outgoing.message, to: outgoing.address, key: outgoing.key)))
                } catch {
                    answered.append(.failure(error))
                }
            }
            answers.append(answered)
        }
        return answers
    }
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

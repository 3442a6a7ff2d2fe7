import Foundation

/// "Something happened that a user should hear about", sent to Notify's internal route
/// ``NotificationRequest/path`` through the sender's outbox. Notify picks the template of `type`, the channels
/// from the recipient's preferences, and the address from Auth (``UserContact``). Idempotent on `idempotencyKey`.
public struct NotificationRequest: InternalCall, Equatable {
    public static let destination = ServiceName.notify
    public static let route = "notifications"

    public var type: NotificationType
    public var recipientId: UUID
    /// What the template shows (names, amounts, links), by the template's variable names.
    public var data: [String: JSONValue]
    public var idempotencyKey: String
    /// When to send it; now when absent.
    public var sendAt: Date?
    /// For security mail about an address: send the email there instead of the account's (the new address of an
    /// email change, which must prove it is theirs, or the old one, told of the change).
    public var emailTo: String?

    public init(
        type: NotificationType, recipientId: UUID, data: [String: JSONValue], idempotencyKey: String, sendAt: Date? = nil, emailTo: String? = nil
    ) {
        self.type = type
        self.recipientId = recipientId
        self.data = data
        self.idempotencyKey = idempotencyKey
        self.sendAt = sendAt
        self.emailTo = emailTo
    }
}

/// The kind of event, which names Notify's templates. Each sending service defines its own.
public struct NotificationType: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Data: `name`, `link`, `expiresAt`. A security mail: it cannot be turned off.
    public static let emailVerification: NotificationType = "auth.email_verification"
    /// Data: `name`, `link`, `expiresAt`. A security mail.
    public static let passwordReset: NotificationType = "auth.password_reset"
    /// Data: `name`. A security mail, sent after a password change or reset.
    public static let passwordChanged: NotificationType = "auth.password_changed"
    /// Data: `name`, `link`, `expiresAt`, `email`. A security mail to the new address of an email change (`emailTo`).
    public static let emailChange: NotificationType = "auth.email_change"
    /// Data: `name`, `email` (the new address). A security mail to the old address once the change is done (`emailTo`).
    public static let emailChanged: NotificationType = "auth.email_changed"
    /// Data: `name`, `deletionDueAt`. A security mail: the account was deleted and will be erased then, unless its
    /// owner signs in again before.
    public static let accountDeletionScheduled: NotificationType = "auth.account_deletion_scheduled"
    /// Data: `name`, `link` (to download the archive once), `expiresAt`. The export of one's data is ready.
    public static let dataExportReady: NotificationType = "auth.data_export_ready"
    /// Data: `name`, `link` (to reset the password). A security mail to an address someone tried to register again:
    /// its owner is told, the registrant is not.
    public static let registrationAttempt: NotificationType = "auth.registration_attempt"

    /// To the traveler. Data: `bookingId`, `experienceTitle`, `startsAt`, `guests`, `total`.
    public static let bookingConfirmed: NotificationType = "booking.confirmed"
    /// To the provider, for a new confirmed booking or a request to answer. Data as ``bookingConfirmed`` plus `status`.
    public static let bookingReceived: NotificationType = "booking.received"
    /// To the traveler: the provider declined, or did not answer in time. Data: `bookingId`, `experienceTitle`, `refund`.
    public static let bookingDeclined: NotificationType = "booking.declined"
    /// To the other side of a cancellation. Data: `bookingId`, `experienceTitle`, `startsAt`, `refund`, `cancelledBy`.
    public static let bookingCancelled: NotificationType = "booking.cancelled"
    /// To the provider: the traveler moved a booking to another time. Data as ``bookingConfirmed`` plus
    /// `previousStartsAt` and `refund`.
    public static let bookingRescheduled: NotificationType = "booking.rescheduled"
    /// To the traveler, 24 hours before the start. Data: `bookingId`, `experienceTitle`, `startsAt`, `address`.
    public static let bookingReminder: NotificationType = "booking.reminder"
    /// To the traveler after the experience. Data: `bookingId`, `experienceTitle`.
    public static let reviewRequest: NotificationType = "booking.review_request"

    /// To the traveler once paid. Data: `invoiceId`, `number`, `total`, `description`.
    public static let paymentReceipt: NotificationType = "payment.receipt"
    /// To the provider once their bank has it. Data: `payoutId`, `amount`.
    public static let payoutSent: NotificationType = "payment.payout_sent"
    /// To the provider: their bank did not take a payout; the money is back in their balance. Data: `payoutId`, `amount`, `failure`.
    public static let payoutFailed: NotificationType = "payment.payout_failed"

    /// To a conversation's member who is offline. Data: `conversationId`, `senderName`, `experienceTitle`, `preview`.
    /// Mailed in a digest with the other new messages of the next few minutes.
    public static let newMessage: NotificationType = "messaging.new_message"
}

import Foundation

/// What Booking asks of Payment, on Payment's internal routes, through Booking's outbox. Every call is idempotent:
/// a payment on the booking id, a refund and a release on the outbox message id (`X-Outbox-Message-Id`).
public enum BookingPayments {
    /// Hold the traveler's money in escrow for a booking.
    public struct PaymentRequest: InternalCall, Equatable {
        public static let destination = ServiceName.payment
        public static let route = "payments"

        public var bookingId: UUID
        public var travelerId: UUID
        public var providerId: UUID
        public var amount: Money
        /// What the traveler's statement and the invoice say.
        public var description: String
        /// The experience booked, for the provider's earnings report (absent from requests made before it was sent).
        public var experienceId: UUID?
        public var experienceTitle: String?

        public init(
            bookingId: UUID, travelerId: UUID, providerId: UUID, amount: Money, description: String, experienceId: UUID? = nil,
            experienceTitle: String? = nil
        ) {
            self.bookingId = bookingId
            self.travelerId = travelerId
            self.providerId = providerId
            self.amount = amount
            self.description = description
            self.experienceId = experienceId
            self.experienceTitle = experienceTitle
        }
    }

    /// Give back part or all of what was paid for a booking, never more than is left.
    public struct RefundRequest: InternalCall, Equatable {
        public static let destination = ServiceName.payment
        public static let route = "payments/refunds"

        public var bookingId: UUID
        public var amount: Money
        public var reason: String

        public init(bookingId: UUID, amount: Money, reason: String) {
            self.bookingId = bookingId
            self.amount = amount
            self.reason = reason
        }
    }

    /// The experience took place: pay the provider their share.
    public struct ReleaseRequest: InternalCall, Equatable {
        public static let destination = ServiceName.payment
        public static let route = "payments/releases"

        public var bookingId: UUID

        public init(bookingId: UUID) {
            self.bookingId = bookingId
        }
    }

    /// Payment's news about a booking's payment, sent through Payment's outbox.
    public struct PaymentEvent: InternalCall, Equatable {
        public static let destination = ServiceName.booking
        public static let route = "payment-events"

        public enum Kind: String, Codable, Sendable {
            /// The money is held in escrow.
            case succeeded
            /// The payment cannot succeed any more (declined for good, abandoned).
            case failed
            /// `amount` went back to the traveler.
            case refunded
        }

        public var bookingId: UUID
        public var paymentId: UUID
        public var kind: Kind
        public var amount: Money
        public var occurredAt: Date

        public init(bookingId: UUID, paymentId: UUID, kind: Kind, amount: Money, occurredAt: Date) {
            self.bookingId = bookingId
            self.paymentId = paymentId
            self.kind = kind
            self.amount = amount
            self.occurredAt = occurredAt
        }
    }
}

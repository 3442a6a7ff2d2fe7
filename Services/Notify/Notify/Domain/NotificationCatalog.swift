import Contracts

/// The notifications Notify knows: which are security mail (always sent by email, never turned off, never rate
/// limited), which gather into a digest, which channels are on until the user says otherwise, and sample data for
/// template previews.
enum NotificationCatalog {
    struct Entry: Sendable {
        var isSecurity = false
        /// Notices of this type wait a little by email and go out together as one mail.
        var digests = false
        var sample: [String: JSONValue]
    }

    static let entries: [NotificationType: Entry] = [
        .emailVerification: Entry(
            isSecurity: true, sample: ["name": "Ana", "link": "http://localhost:8080/verify-email?token=abc", "expiresAt": "2026-11-24T18:00:00Z"]),
        .passwordReset: Entry(
            isSecurity: true, sample: ["name": "Ana", "link": "http://localhost:8080/reset-password?token=abc", "expiresAt": "2026-11-23T19:00:00Z"]),
        .passwordChanged: Entry(isSecurity: true, sample: ["name": "Ana"]),
        .emailChange: Entry(
            isSecurity: true,
            sample: [
                "name": "Ana", "link": "http://localhost:8080/confirm-email?token=abc", "expiresAt": "2026-11-24T18:00:00Z", "email": "ana@example.com",
            ]),
        .emailChanged: Entry(isSecurity: true, sample: ["name": "Ana", "email": "ana@example.com"]),
        .registrationAttempt: Entry(isSecurity: true, sample: ["name": "Ana", "link": "http://localhost:8080/reset-password"]),
        .accountDeletionScheduled: Entry(isSecurity: true, sample: ["name": "Ana", "deletionDueAt": "2026-12-18T10:00:00.000Z"]),
        .dataExportReady: Entry(
            isSecurity: true, sample: ["name": "Ana", "link": "http://localhost:8080/api/v1/auth/exports/abc", "expiresAt": "2026-12-11T10:00:00.000Z"]),
        .bookingConfirmed: Entry(sample: booking),
        .bookingReceived: Entry(sample: booking.merging(["status": "confirmed"]) { $1 }),
        .bookingDeclined: Entry(sample: booking.merging(["refund": money(255_000)]) { $1 }),
        .bookingCancelled: Entry(sample: booking.merging(["refund": money(127_500), "cancelledBy": "traveler"]) { $1 }),
        .bookingRescheduled: Entry(sample: booking.merging(["previousStartsAt": "2026-12-04T15:00:00Z", "refund": money(0)]) { $1 }),
        .bookingReminder: Entry(sample: booking.merging(["address": "Calle 60 #123, Mérida"]) { $1 }),
        .reviewRequest: Entry(sample: booking),
        .paymentReceipt: Entry(sample: [
            "invoiceId": "6c1d2b7e-0f7a-4f6e-9a53-7a4c1f0e2b11", "number": "2026-000042", "total": money(255_000), "description": "Cenote swim near Valladolid",
        ]),
        .payoutSent: Entry(sample: ["payoutId": "0b8c6d1e-3a2f-4e5d-8c7b-9a1f2e3d4c5b", "amount": money(216_750)]),
        .payoutFailed: Entry(sample: ["payoutId": "0b8c6d1e-3a2f-4e5d-8c7b-9a1f2e3d4c5b", "amount": money(216_750), "failure": "account_closed"]),
        .newMessage: Entry(
            digests: true,
            sample: [
                "conversationId": "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d", "senderName": "Luis", "experienceTitle": "Cenote swim near Valladolid",
                "preview": "See you at the entrance at nine!",
            ]),
    ]

    /// The channels a user who said nothing gets: SMS costs them money and attention, so it is theirs to turn on;
    /// security mail goes by email only.
    static func defaultChannels(of type: NotificationType) -> Set<Channel> {
        entries[type]?.isSecurity == true ? [.email] : [.email, .push, .inApp]
    }

    private static let booking: [String: JSONValue] = [
        "bookingId": "4f3e2d1c-0b9a-4876-8543-210fedcba987", "experienceTitle": "Cenote swim near Valladolid",
        "startsAt": "2026-12-05T15:00:00Z", "timeZone": "America/Merida", "guests": 2, "total": money(255_000),
    ]

    private static func money(_ amount: Int64) -> JSONValue {
        ["amount": .number(Double(amount)), "currency": "MXN"]
    }
}

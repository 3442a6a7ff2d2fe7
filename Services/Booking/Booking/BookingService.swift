import Contracts
import Foundation
import Imaging
import Logging
import PostgresNIO
import ServiceKit

/// Everything Booking's routes and jobs share, assembled once by `buildApplication`.
struct BookingService: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let clock: WallClock
    let settings: BookingSettings
    let experiences: Experiences
    let slots: Slots
    let schedules: Schedules
    let bookings: Bookings
    let reviews: Reviews
    let calendars: Calendars
    let calendarFetcher: CalendarFetcher
    let providers: ProviderDirectory
    let outbox: OutboxRelay
    let photos: Photos
    let accounts: Accounts
    let images: ImageProcessor
    var objects: any ObjectStore { settings.objects }

    /// Runs `body` in a transaction, then wakes the outbox so that what it queued goes out at once.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await outbox.transaction(body)
    }

    /// Queues `call` in the caller's transaction.
    func send(_ call: some InternalCall, on connection: PostgresConnection) async throws {
        try await Outbox.enqueue(call, on: connection, logger: logger)
    }

    /// Tells Search about a change, in the caller's transaction.
    func feed(_ event: SearchFeedEvent, on connection: PostgresConnection) async throws {
        try await send(event, on: connection)
    }

    func feed(_ experience: Experience, on connection: PostgresConnection) async throws {
        try await feed(
            SearchFeedEvent(kind: .experienceChanged, version: experience.version, occurredAt: clock.now(), experience: experience.feedSnapshot),
            on: connection
        )
    }

    func feedEvent(for slot: Slot) -> SearchFeedEvent {
        SearchFeedEvent(kind: .slotChanged, version: slot.version, occurredAt: clock.now(), slot: slot.feedSnapshot)
    }

    func notify(
        _ type: NotificationType, _ recipient: UUID, _ booking: Booking, _ experience: Experience, extra: [String: JSONValue] = [:],
        on connection: PostgresConnection
    ) async throws {
        var data: [String: JSONValue] = [
            "bookingId": .string(booking.id.lowercasedString),
            "experienceTitle": .string(experience.title),
            "startsAt": .string(ISO8601Format.string(booking.startsAt)),
            "timeZone": .string(experience.timeZone),
            "guests": .number(Double(booking.guests)),
            "total": .object(["amount": .number(Double(booking.total.amount)), "currency": .string(booking.total.currency)]),
        ]
        data.merge(extra) { $1 }
        let request = NotificationRequest(
            type: type, recipientId: recipient, data: data, idempotencyKey: "\(type.rawValue):\(booking.id.lowercasedString)")
        try await send(request, on: connection)
    }

    /// The experience, if the caller may see it: published and archived ones are public, a draft only to its
    /// provider and admins. Anything else is a 404, which does not say whether it exists.
    func visibleExperience(_ id: UUID, to identity: Identity?) async throws -> Experience {
        guard let experience = try await experiences.find(id),
            experience.status != .draft || identity.map({ $0.userID == experience.providerId || $0.role == .admin }) == true
        else { throw Problem.notFound("No such experience.") }
        return experience
    }

    /// The experience, locked, if the caller owns it (or is an admin); 404 otherwise.
    func ownedExperience(_ id: UUID, by identity: Identity, on connection: PostgresConnection) async throws -> Experience {
        guard let experience = try await experiences.find(id, on: connection, forUpdate: true),
            experience.providerId == identity.userID || identity.role == .admin
        else { throw Problem.notFound("No such experience.") }
        return experience
    }
}

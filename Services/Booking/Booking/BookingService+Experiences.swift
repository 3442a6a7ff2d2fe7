import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// The use cases of a listing: providers create, change, publish and archive their own; anyone reads the published.
extension BookingService {
    /// A draft experience of `providerID`'s; Search hears of it.
    func createExperience(_ new: NewExperience, by providerID: UUID) async throws -> Experience {
        let experience = Experience(new, by: providerID, at: clock.now())
        try await transaction { connection in
            try await experiences.insert(experience, on: connection)
            try await feed(experience, on: connection)
        }
        return experience
    }

    /// Published experiences newest first, or one provider's including unpublished ones when `includeUnpublished`.
    func experiences(of providerID: UUID?, includeUnpublished: Bool, before cursor: KeysetCursor?, limit: Int) async throws -> [Experience] {
        try await experiences.page(providerID: providerID, includeUnpublished: includeUnpublished, before: cursor, limit: limit)
    }

    /// Changes the given fields of an experience the caller owns.
    func changeExperience(_ id: UUID, _ fields: ExperienceFields, by identity: Identity) async throws -> Experience {
        try await updateExperience(id, by: identity) { experience in
            experience.apply(fields)
            return true
        }
    }

    /// Moves an experience the caller owns to `status` from one of `allowedFrom`; already there, nothing changes.
    func setStatus(_ status: Experience.Status, allowedFrom: Set<Experience.Status>, of id: UUID, by identity: Identity) async throws -> Experience {
        try await updateExperience(id, by: identity) { experience in
            guard experience.status != status else { return false }
            guard allowedFrom.contains(experience.status) else {
                throw Problem.conflict("An experience that is \(experience.status.rawValue) cannot become \(status.rawValue).", code: "invalid_transition")
            }
            experience.status = status
            return true
        }
    }

    /// How Messaging sees an experience.
    func parties(ofExperience id: UUID) async throws -> ExperienceParties {
        guard let experience = try await experiences.find(id) else { throw Problem.notFound("No such experience.") }
        return ExperienceParties(id: experience.id, providerId: experience.providerId, title: experience.title, status: experience.status.rawValue)
    }

    /// A page of every experience after `after` in id order and its slots to come, as index feed events with their
    /// current versions, for Search's full reindex.
    func feedPage(after: UUID?, limit: Int) async throws -> SearchFeedPage {
        let listed = try await experiences.all(after: after, limit: limit)
        let now = clock.now()
        let upcoming = Dictionary(grouping: try await slots.upcoming(of: listed.map(\.id), after: now), by: \.experienceId)
        var events: [SearchFeedEvent] = []
        for experience in listed {
            events.append(SearchFeedEvent(kind: .experienceChanged, version: experience.version, occurredAt: now, experience: experience.feedSnapshot))
            for slot in upcoming[experience.id] ?? [] {
                events.append(SearchFeedEvent(kind: .slotChanged, version: slot.version, occurredAt: now, slot: slot.feedSnapshot))
            }
        }
        return SearchFeedPage(events: events, nextCursor: listed.count == limit ? listed.last?.id.lowercasedString : nil)
    }

    /// Applies `change` to the locked experience the caller owns and, when it says so, stores it (a new version)
    /// and tells Search.
    private func updateExperience(_ id: UUID, by identity: Identity, _ change: (inout Experience) throws -> Bool) async throws -> Experience {
        try await transaction { connection in
            var experience = try await ownedExperience(id, by: identity, on: connection)
            let blackouts = experience.blackoutDates
            guard try change(&experience) else { return experience }
            guard let stored = try await experiences.update(experience, at: clock.now(), on: connection) else {
                throw Problem.notFound("No such experience.")
            }
            try await feed(stored, on: connection)
            // Search shows a slot on a blackout date as closed: it hears of the slots again.
            if stored.blackoutDates != blackouts { try await slots.refeed(experienceID: id, after: clock.now(), on: connection) }
            return stored
        }
    }
}

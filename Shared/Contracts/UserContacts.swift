import Foundation

/// Several users' contacts in one answer (``UserContacts/Request``): those Auth knows, a user it does not know left
/// out. Notify asks for a batch's recipients together instead of one ``UserContact`` lookup each.
public struct UserContacts: Codable, Sendable, Equatable {
    /// The question, a `POST` answered at once.
    public struct Request: InternalCall, Equatable {
        public static let destination = ServiceName.auth
        public static let route = "users/contacts"
        /// The most ids one request may name.
        public static let maximumIDs = 100

        public var ids: [UUID]

        public init(ids: [UUID]) {
            self.ids = ids
        }
    }

    public var contacts: [UserContact]

    public init(contacts: [UserContact]) {
        self.contacts = contacts
    }
}

/// Every change of a booking's status, as one pure function of (status, event). The service applies the
/// transition's effects: seats back to the slot, a refund, messages to the people concerned.
enum BookingStateMachine {
    enum Event: Sendable, Equatable {
        case paymentSucceeded(instantBook: Bool)
        case paymentFailed
        case holdExpired
        case accepted
        case declined
        case requestTimedOut
        case cancelledByTraveler
        case cancelledByProvider
        case completed
    }

    /// How much of what was paid goes back.
    enum Refund: Sendable, Equatable {
        case none
        /// Everything not refunded yet.
        case full
        /// What the experience's cancellation policy gives at this time.
        case policy
    }

    struct Transition: Sendable, Equatable {
        var status: BookingStatus
        var releasesSeats = false
        var refund = Refund.none
        /// `false` when the event changed nothing (a second cancellation): the caller answers as before and
        /// does nothing again.
        var changed = true
    }

    /// The event cannot happen in this status (accepting a cancelled booking, say).
    struct Refusal: Error, Equatable {
        let status: BookingStatus
        let event: Event
    }

    static func apply(_ event: Event, to status: BookingStatus) -> Result<Transition, Refusal> {
        switch (status, event) {
        case (.pendingPayment, .paymentSucceeded(let instant)):
            return .success(Transition(status: instant ? .confirmed : .awaitingProvider))
        case (.pendingPayment, .paymentFailed), (.pendingPayment, .holdExpired):
            return .success(Transition(status: .expired, releasesSeats: true))
        case (.pendingPayment, .cancelledByTraveler):
            return .success(Transition(status: .cancelledByTraveler, releasesSeats: true))
        case (.pendingPayment, .cancelledByProvider):
            return .success(Transition(status: .cancelledByProvider, releasesSeats: true))

        case (.awaitingProvider, .accepted):
            return .success(Transition(status: .confirmed))
        case (.awaitingProvider, .declined), (.awaitingProvider, .requestTimedOut):
            return .success(Transition(status: .declined, releasesSeats: true, refund: .full))
        // Not confirmed yet: the traveler withdraws the request and gets everything back.
        case (.awaitingProvider, .cancelledByTraveler):
            return .success(Transition(status: .cancelledByTraveler, releasesSeats: true, refund: .full))
        case (.awaitingProvider, .cancelledByProvider):
            return .success(Transition(status: .cancelledByProvider, releasesSeats: true, refund: .full))

        case (.confirmed, .cancelledByTraveler):
            return .success(Transition(status: .cancelledByTraveler, releasesSeats: true, refund: .policy))
        case (.confirmed, .cancelledByProvider):
            return .success(Transition(status: .cancelledByProvider, releasesSeats: true, refund: .full))
        case (.confirmed, .completed):
            return .success(Transition(status: .completed))

        // Cancelling twice is not an error and refunds once.
        case (.cancelledByTraveler, .cancelledByTraveler), (.cancelledByProvider, .cancelledByProvider):
            return .success(Transition(status: status, changed: false))
        // Money that arrives after the booking ended goes straight back.
        case (.expired, .paymentSucceeded), (.cancelledByTraveler, .paymentSucceeded), (.cancelledByProvider, .paymentSucceeded),
            (.declined, .paymentSucceeded):
            return .success(Transition(status: status, refund: .full, changed: false))
        // Repeated or late news changes nothing.
        case (.awaitingProvider, .paymentSucceeded), (.confirmed, .paymentSucceeded), (.completed, .paymentSucceeded),
            (.expired, .paymentFailed), (.expired, .holdExpired), (.declined, .requestTimedOut), (.completed, .completed):
            return .success(Transition(status: status, changed: false))
        default:
            return .failure(Refusal(status: status, event: event))
        }
    }
}

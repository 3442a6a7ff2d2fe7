import Foundation
import ServiceKit

/// A provider's terms for when an experience can be booked, as Cal.com and Airbnb Experiences offer them. Every
/// rule is off by default, so an experience listed before rules existed books as it did.
struct BookingRules: Codable, Sendable, Equatable {
    /// Hours a booking must be made before the start.
    var minimumNoticeHours = 0
    /// How many days ahead a slot can be booked; `nil` for no limit.
    var bookingWindowDays: Int?
    /// Minutes the provider keeps free around each booked time: a slot that starts or ends this close to another
    /// booked slot of theirs cannot be booked.
    var bufferMinutes = 0
    /// Bookings of this experience a local day takes at most; `nil` for no limit.
    var maxBookingsPerDay: Int?

    init(minimumNoticeHours: Int = 0, bookingWindowDays: Int? = nil, bufferMinutes: Int = 0, maxBookingsPerDay: Int? = nil) {
        self.minimumNoticeHours = minimumNoticeHours
        self.bookingWindowDays = bookingWindowDays
        self.bufferMinutes = bufferMinutes
        self.maxBookingsPerDay = maxBookingsPerDay
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minimumNoticeHours = try container.decodeIfPresent(Int.self, forKey: .minimumNoticeHours) ?? 0
        bookingWindowDays = try container.decodeIfPresent(Int.self, forKey: .bookingWindowDays)
        bufferMinutes = try container.decodeIfPresent(Int.self, forKey: .bufferMinutes) ?? 0
        maxBookingsPerDay = try container.decodeIfPresent(Int.self, forKey: .maxBookingsPerDay)
    }

    /// Records in `validator` each rule out of range, named under `field`.
    func check(into validator: inout Validator, field: String) {
        validator.check((0...720).contains(minimumNoticeHours), "\(field).minimumNoticeHours", "must be from 0 to 720")
        if let bookingWindowDays { validator.check((1...730).contains(bookingWindowDays), "\(field).bookingWindowDays", "must be from 1 to 730") }
        validator.check((0...1440).contains(bufferMinutes), "\(field).bufferMinutes", "must be from 0 to 1440")
        if let maxBookingsPerDay { validator.check((1...1000).contains(maxBookingsPerDay), "\(field).maxBookingsPerDay", "must be from 1 to 1000") }
    }

    /// What the rules say of booking a slot starting at `start`, at `now`, when the experience has `bookedThatDay`
    /// bookings holding seats on the slot's local day and `bufferClash` tells whether another booked slot of the
    /// provider lies within the buffer.
    func refusal(startingAt start: Date, at now: Date, bookedThatDay: Int, bufferClash: Bool) -> BookingRefusal? {
        let ahead = start.timeIntervalSince(now)
        if ahead < TimeInterval(minimumNoticeHours * 3600) { return .minimumNotice(hours: minimumNoticeHours) }
        if let bookingWindowDays, ahead > TimeInterval(bookingWindowDays * 86_400) { return .bookingWindow(days: bookingWindowDays) }
        if let maxBookingsPerDay, bookedThatDay >= maxBookingsPerDay { return .maxBookingsPerDay(maxBookingsPerDay) }
        if bufferMinutes > 0, bufferClash { return .buffer(minutes: bufferMinutes) }
        return nil
    }
}

/// Who a caller is in the marketplace. `service` is another MayaGo service calling an internal route.
public enum Role: String, Codable, Hashable, Sendable, CaseIterable {
    case traveler
    case provider
    case admin
    case service
}

/// The seven services of the suite, by the name of their executable.
public enum ServiceName: String, Codable, Hashable, Sendable, CaseIterable {
    case gateway
    case auth
    case booking
    case payment
    case search
    case messaging
    case notify

    /// The port each service listens on unless configured otherwise.
    public var defaultPort: Int {
        switch self {
        case .gateway: 8080
        case .auth: 8081
        case .booking: 8082
        case .payment: 8083
        case .search: 8084
        case .messaging: 8085
        case .notify: 8086
        }
    }
}

/// Where a notification can reach someone.
enum Channel: String, Codable, CaseIterable, Sendable, CodingKeyRepresentable {
    case email
    case sms
    case push
    case inApp = "in_app"
}

import HTTPTypes
import Hummingbird
import ServiceKit

/// Where a request came from, for the audit log and the per-address login throttle.
struct ClientInfo: Sendable {
    var address: String?
    var userAgent: String?

    /// Auth is reached through the gateway, which appends the address it saw to `X-Forwarded-For`; the last
    /// entry is therefore the one to believe. Without the header, the socket's peer.
    init(_ request: Request, context: ServiceRequestContext) {
        if let forwarded = request.headers[values: .xForwardedFor].last?.split(separator: ",").last {
            address = String(forwarded.trimmingOptionalWhitespace)
        } else {
            address = context.remoteAddress?.ipAddress
        }
        userAgent = request.headers[.userAgent].map { String($0.prefix(512)) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

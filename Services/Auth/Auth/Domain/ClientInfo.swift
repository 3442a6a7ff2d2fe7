import HTTPTypes
import Hummingbird
import ServiceKit

/// Where a request came from, for the audit log and the per-address login throttle.
struct ClientInfo: Sendable {
    var address: String?
    var userAgent: String?

    init(address: String?, userAgent: String?) {
        self.address = address
        self.userAgent = userAgent
    }

    /// The address the gateway resolved and sealed (`X-Forwarded-For` is never read: behind a proxy its last entry
    /// is the proxy's, shared by every client); without a valid seal, the socket's peer.
    init(_ request: Request, context: ServiceRequestContext) {
        address = context.clientAddress ?? context.remoteAddress?.ipAddress
        userAgent = request.headers[.userAgent].map { String($0.prefix(512)) }
    }
}

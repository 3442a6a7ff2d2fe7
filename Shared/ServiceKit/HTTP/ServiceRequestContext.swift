import Contracts
import Foundation
import Hummingbird
import NIOCore

/// The request context of every MayaGo service: Hummingbird's core storage plus the request id, the caller's
/// address and identity, and a JSON decoder that answers undecodable bodies with a 400 naming the field.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware`` before anything else runs.
    public var requestID: String
    /// The peer of the connection (a proxy's, when one is in front).
    public let remoteAddress: SocketAddress?
    /// The client's address: as the gateway resolved and sealed it, else the connection's peer.
    public var clientAddress: String?
    /// The verified caller, when the request carried a valid token.
    public var identity: Identity?
    /// The claims of the verified token, set by ``AuthenticationMiddleware``.
    public var claims: AccessClaims?
    /// Why a presented token was refused, for the detail of a 401.
    public var authenticationFailure: String?
    /// What inner layers report for the access log line.
    public let notes: RequestNotes

    public init(source: ApplicationRequestContextSource) {
        self.init(core: .init(source: source), remoteAddress: source.channel.remoteAddress)
    }

    /// A fresh context for a request replayed inside `context`'s (a message of an ``OutboxBatch``).
    init(replaying context: ServiceRequestContext) {
        self.init(core: .init(source: context), remoteAddress: context.remoteAddress)
    }

    private init(core: CoreRequestContextStorage, remoteAddress: SocketAddress?) {
        coreContext = core
        requestID = ""
        self.remoteAddress = remoteAddress
        clientAddress = nil
        identity = nil
        claims = nil
        authenticationFailure = nil
        notes = RequestNotes()
    }

    public var requestDecoder: ProblemJSONDecoder { ProblemJSONDecoder() }
    public var responseEncoder: JSONEncoder { .mayaGo }
}

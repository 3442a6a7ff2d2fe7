import Contracts
import Foundation
import Hummingbird

/// The request context of every MayaGo service: Hummingbird's core storage plus the request id, and a JSON
/// decoder that answers undecodable bodies with a 400 naming the field.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware`` before anything else runs.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = ""
    }

    public var requestDecoder: ProblemJSONDecoder { ProblemJSONDecoder() }
    public var responseEncoder: JSONEncoder { .mayaGo }
}

import Contracts
import HTTPTypes
import Hummingbird

/// The `/internal/v1/...` routes of a service. Each route names the services that may call it, so that what a
/// service can reach of another is written beside the route, once.
public struct InternalRouter: Sendable {
    let group: RouterGroup<ServiceRequestContext>
    let credential: ServiceCredential

    public typealias Handler<Output> = @Sendable (Request, ServiceRequestContext) async throws -> Output

    @discardableResult
    public func get<Output: ResponseGenerator>(_ path: RouterPath, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>) -> Self {
        on(path, method: .get, callers: [caller] + others, use: handler)
    }

    @discardableResult
    public func post<Output: ResponseGenerator>(_ path: RouterPath, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>) -> Self {
        on(path, method: .post, callers: [caller] + others, use: handler)
    }

    private func on<Output: ResponseGenerator>(_ path: RouterPath, method: HTTPRequest.Method, callers: [ServiceName], use handler: @escaping Handler<Output>) -> Self {
        group.group().add(middleware: InternalRouteMiddleware(credential: credential, callers: Set(callers))).on(path, method: method, use: handler)
        return self
    }
}

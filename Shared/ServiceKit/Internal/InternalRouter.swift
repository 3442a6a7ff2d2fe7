import Contracts
import Hummingbird

/// The `/internal/v1/...` routes of a service. Each route names the services that may call it, so that what a
/// service can reach of another is written beside the route, once.
public struct InternalRouter: Sendable {
    let group: RouterGroup<ServiceRequestContext>
    let credential: ServiceCredential

    @discardableResult
    public func get<Output: ResponseGenerator>(
        _ path: RouterPath,
        from caller: ServiceName,
        _ others: ServiceName...,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Output
    ) -> Self {
        guarded([caller] + others).get(path, use: handler)
        return self
    }

    @discardableResult
    public func post<Output: ResponseGenerator>(
        _ path: RouterPath,
        from caller: ServiceName,
        _ others: ServiceName...,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Output
    ) -> Self {
        guarded([caller] + others).post(path, use: handler)
        return self
    }

    private func guarded(_ callers: [ServiceName]) -> RouterGroup<ServiceRequestContext> {
        group.group().add(middleware: InternalRouteMiddleware(credential: credential, callers: Set(callers)))
    }
}

import Contracts
import HTTPTypes
import Hummingbird

/// The `/internal/v1/...` routes of a service. Each route names the services that may call it, so that what a
/// service can reach of another is written beside the route, once.
public struct InternalRouter {
    let group: RouterGroup<ServiceRequestContext>
    let credential: ServiceCredential

    public typealias Handler<Output> = @Sendable (Request, ServiceRequestContext) async throws -> Output

    /// `GET` of `answer`'s route.
    @discardableResult
    public func get<Answer: InternalRoute, Output: ResponseGenerator>(
        _ answer: Answer.Type, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>
    ) -> Self {
        on(Answer.self, method: .get, callers: [caller] + others, use: handler)
    }

    /// `POST` of `call`'s route.
    @discardableResult
    public func post<Call: InternalCall, Output: ResponseGenerator>(
        _ call: Call.Type, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>
    ) -> Self {
        on(Call.self, method: .post, callers: [caller] + others, use: handler)
    }

    /// `GET` of `route`, one that several services answer alike (``AccountExport/route``).
    @discardableResult
    public func get<Output: ResponseGenerator>(
        _ route: String, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>
    ) -> Self {
        on(route, method: .get, callers: [caller] + others, use: handler)
    }

    /// `POST` of `route`, one that several services answer alike (``AccountErasure/route``).
    @discardableResult
    public func post<Output: ResponseGenerator>(
        _ route: String, from caller: ServiceName, _ others: ServiceName..., use handler: @escaping Handler<Output>
    ) -> Self {
        on(route, method: .post, callers: [caller] + others, use: handler)
    }

    private func on<Route: InternalRoute, Output: ResponseGenerator>(
        _ route: Route.Type, method: HTTPRequest.Method, callers: [ServiceName], use handler: @escaping Handler<Output>
    ) -> Self {
        on(Route.route, method: method, callers: callers, use: handler)
    }

    /// `route` for `callers`; ServiceKit's own routes (``OutboxBatch``) use it directly.
    @discardableResult
    func on<Output: ResponseGenerator>(
        _ route: String, method: HTTPRequest.Method, callers: [ServiceName], use handler: @escaping Handler<Output>
    ) -> Self {
        group.group().add(middleware: InternalRouteMiddleware(credential: credential, callers: Set(callers)))
            .on(RouterPath(route), method: method, use: handler)
        return self
    }
}

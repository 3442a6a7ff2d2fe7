import HTTPTypes
import Hummingbird

/// Hummingbird's router, remembering which methods each path has, so that a known path asked with another
/// method is a 405 with `Allow` instead of a 404.
public final class ServiceRouter: RouterMethods, HTTPResponderBuilder {
    public typealias Context = ServiceRequestContext

    public let router: Router<Context>
    private var methods: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]

    public init() {
        router = Router(context: Context.self)
    }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        router.on(path, method: method, responder: responder)
        methods[path.description, default: (path, [])].methods.insert(method)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    public func buildResponder() -> RouterResponder<Context> {
        let candidates: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        for (path, known) in methods.values {
            let problem = Problem.methodNotAllowed(allowed: Array(known))
            for method in candidates where !known.contains(method) {
                router.on(path, method: method) { _, _ -> Response in throw problem }
            }
        }
        methods = [:]
        return router.buildResponder()
    }
}

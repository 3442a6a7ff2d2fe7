import Hummingbird
import Logging

/// Answers every failure as problem details: thrown ``Problem``s as they are, Hummingbird's own errors (404,
/// 413, …) with their status, and anything unexpected as a 500 that is logged here but shows the client nothing
/// of its cause.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response(requestID: context.requestID)
        } catch let error as any ProblemConvertible {
            return error.problem.response(requestID: context.requestID)
        } catch let error as any HTTPResponseError {
            return Problem(error.status, detail: (error as? HTTPError)?.body).response(requestID: context.requestID)
        } catch is CancellationError {
            return Problem(.serviceUnavailable, detail: "The request was cancelled.").response(requestID: context.requestID)
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem.internalError.response(requestID: context.requestID)
        }
    }
}

/// An error that knows the problem it means for the client (a payment provider's refusal, say).
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

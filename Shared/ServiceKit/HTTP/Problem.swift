import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// A failure answered as RFC 9457 problem details. Handlers throw these; ``ProblemMiddleware`` turns every
/// other error into one too, so a client never sees anything else.
public struct Problem: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var detail: String?
    public var code: String?
    public var errors: [FieldError]?
    /// Extra headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status,
        detail: String? = nil,
        code: String? = nil,
        errors: [FieldError]? = nil,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors
        self.headers = headers
    }

    public var description: String {
        "\(status.code) \(status.reasonPhrase)" + (detail.map { ": \($0)" } ?? "")
    }

    /// The body, with the request id that lets an operator find the request in the logs.
    public func details(requestID: String?) -> ProblemDetails {
        ProblemDetails(
            title: status.reasonPhrase,
            status: status.code,
            detail: detail,
            requestId: requestID,
            code: code,
            errors: errors
        )
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? ServiceRequestContext)?.requestID ?? request.headers[.requestID]
        return response(requestID: requestID)
    }

    public func response(requestID: String?) -> Response {
        var headers = headers
        headers[.contentType] = ProblemDetails.mediaType
        return Response(status: status, headers: headers, body: .init(byteBuffer: body(requestID: requestID)))
    }

    /// The `application/problem+json` body.
    public func body(requestID: String?) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder.mayaGo.encode(details(requestID: requestID))) ?? Data())
    }
}

extension Problem {
    /// 400 for invalid input, naming each bad field.
    public static func validation(_ errors: [FieldError]) -> Problem {
        Problem(.badRequest, detail: "The request has invalid fields.", errors: errors)
    }

    /// 400 for one invalid field or query parameter.
    public static func invalid(_ field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)])
    }

    /// 422 for well-formed fields that a rule the published document cannot state refuses: an id that names
    /// nothing of the caller's, a cursor that is not from a previous page, a time already past, a wrong code.
    public static func unprocessable(_ errors: [FieldError]) -> Problem {
        Problem(.unprocessableContent, detail: "The request is well formed, but its fields break a rule.", errors: errors)
    }

    /// 422 for one well-formed field that a rule refuses.
    public static func refused(_ field: String, _ message: String) -> Problem {
        unprocessable([FieldError(field: field, message: message)])
    }

    public static func notFound(_ detail: String = "No such resource.") -> Problem {
        Problem(.notFound, detail: detail)
    }

    public static func conflict(_ detail: String, code: String? = nil) -> Problem {
        Problem(.conflict, detail: detail, code: code)
    }

    public static func unauthorized(_ detail: String = "Authentication is required.", code: String? = nil) -> Problem {
        Problem(.unauthorized, detail: detail, code: code, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(_ detail: String = "You may not do this.") -> Problem {
        Problem(.forbidden, detail: detail)
    }

    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return Problem(.methodNotAllowed, detail: "Allowed methods: \(allow).", headers: [.allow: allow])
    }

    public static let internalError = Problem(.internalServerError, detail: "Something went wrong on our side.")
}

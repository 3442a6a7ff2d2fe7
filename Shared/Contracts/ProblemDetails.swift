/// The body of every error answer: RFC 9457 problem details (`application/problem+json`).
public struct ProblemDetails: Codable, Hashable, Sendable {
    /// The media type of a problem details body.
    public static let mediaType = "application/problem+json"

    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// The request id of the request that failed, to find it in the logs.
    public var requestId: String?
    /// A machine-readable reason where clients branch on it (for example `totp_required`).
    public var code: String?
    /// For validation problems: each bad field and what is wrong with it.
    public var errors: [FieldError]?

    public init(
        type: String = "about:blank",
        title: String,
        status: Int,
        detail: String? = nil,
        requestId: String? = nil,
        code: String? = nil,
        errors: [FieldError]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.requestId = requestId
        self.code = code
        self.errors = errors
    }
}

/// One invalid field of a request: its path (`location.latitude`, `items[2].id`) and what is wrong.
public struct FieldError: Codable, Hashable, Sendable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat

extension TestClientProtocol {
    /// Sends `body` as JSON (when there is one), signed in with the access token `token` (when there is one).
    public func send(
        _ method: HTTPRequest.Method, _ path: String, json body: [String: any Sendable]?, token: String?, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        return try await executeRequest(uri: path, method: method, headers: headers, body: buffer)
    }
}

import Contracts
import Foundation
import Hummingbird
import NIOCore

extension Response {
    /// A JSON answer encoded the MayaGo way (ISO 8601 dates, sorted keys).
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = try JSONEncoder.mayaGo.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

// The suite's shared answer types are returned from handlers as they are, encoded the MayaGo way.
extension Page: ResponseEncodable {}
extension UserContact: ResponseEncodable {}
extension SearchFeedPage: ResponseEncodable {}
extension APIKeyIntrospection: ResponseEncodable {}
extension ExperienceParties: ResponseEncodable {}
extension BookingParties: ResponseEncodable {}
extension ProviderProfile: ResponseEncodable {}
extension ResponseStats: ResponseEncodable {}
extension AccountCommitments: ResponseEncodable {}
extension AccountExport: ResponseEncodable {}

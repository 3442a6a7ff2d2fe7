import Contracts
import Foundation
import Hummingbird
import NIOCore

extension Response {
    /// A JSON answer encoded the MayaGo way (ISO 8601 dates, sorted keys).
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        .json(bytes: try JSONEncoder.mayaGo.encode(value), status: status, headers: headers)
    }

    /// A JSON answer written already (by ``JSONOutput``, on the hottest paths).
    public static func json(bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

// The suite's shared answer types are returned from handlers as they are, encoded the MayaGo way.
extension Page: ResponseEncodable {}
extension UserContact: ResponseEncodable {}
extension UserContacts: ResponseEncodable {}
extension SearchFeedPage: ResponseEncodable {}
extension APIKeyIntrospection: ResponseEncodable {}
extension ExperienceParties: ResponseEncodable {}
extension BookingParties: ResponseEncodable {}
extension ProviderProfile: ResponseEncodable {}
extension ResponseStats: ResponseEncodable {}
extension AccountCommitments: ResponseEncodable {}
extension AccountExport: ResponseEncodable {}

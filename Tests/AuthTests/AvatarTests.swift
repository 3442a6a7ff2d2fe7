import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Imaging
import NIOCore
import NIOFoundationCompat
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct AvatarTests {
    @Test func anAvatarIsResizedInTheBackgroundAndShownOnTheProfile() async throws {
        try await AuthHarness.run { auth in
            let luis = try await auth.register(role: .provider)
            func upload(_ bytes: Data, _ type: String, token: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: type]
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await auth.client.executeRequest(uri: "/api/v1/auth/me/avatar", method: .put, headers: headers, body: ByteBuffer(data: bytes))
            }
            let png = TestImages.png(width: 640, height: 480)
            #expect(try await upload(png, "image/png", token: nil).status == .unauthorized)
            #expect(try await upload(Data("GIF89a".utf8), "image/gif", token: luis.accessToken).status == .unsupportedMediaType)
            let notAnImage = try await upload(Data("hello".utf8), "image/png", token: luis.accessToken)
            #expect(notAnImage.status == .unprocessableContent && notAnImage.problem?.errors?.first?.field == "body")

            let uploaded = try await upload(png, "image/png", token: luis.accessToken)
            #expect(uploaded.status == .accepted)
            let url = "/api/v1/auth/users/\(luis.user.id.uuidString.lowercased())/avatars/1/256.jpg"
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await auth.send(.get, "/api/v1/auth/me/profile", token: luis.accessToken).decode(ProviderProfile.self).avatarUrl == url
                })
            let served = try await auth.send(.get, url)
            #expect(served.status == .ok && served.headers[.contentType] == "image/jpeg")
            #expect(try await ImageProcessor().probe(served.body) == ImageInfo(format: .jpeg, width: 256, height: 192))
            #expect(try await auth.send(.get, url.replacingOccurrences(of: "256.jpg", with: "512.webp")).status == .ok)
            #expect(try await auth.send(.get, url.replacingOccurrences(of: "256.jpg", with: "original")).status == .notFound)

            // A new upload replaces it under a new version; the old one's files go.
            #expect(try await upload(TestImages.png(width: 300, height: 300), "image/png", token: luis.accessToken).status == .accepted)
            let second = url.replacingOccurrences(of: "/1/", with: "/2/")
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await auth.send(.get, "/api/v1/auth/me/profile", token: luis.accessToken).decode(ProviderProfile.self).avatarUrl == second
                })
            #expect(try await auth.send(.get, url).status == .notFound)

            #expect(try await auth.send(.delete, "/api/v1/auth/me/avatar", token: luis.accessToken).status == .noContent)
            #expect(try await auth.send(.get, "/api/v1/auth/me/profile", token: luis.accessToken).decode(ProviderProfile.self).avatarUrl == nil)
            #expect(try await auth.send(.get, second).status == .notFound)
        }
    }
}

import Contracts
import Foundation
import HTTPTypes
import HummingbirdOTP
import HummingbirdTesting
import JWTKit
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct TwoFactorTests {
    struct Enrolment: Decodable {
        var secret: String
        var otpauthUri: String
    }

    struct Confirmation: Decodable {
        var recoveryCodes: [String]
    }

    /// The code an authenticator app shows for the base32 `secret` at `date`.
    static func code(_ secret: String, at date: Date) -> String {
        let raw = String(decoding: Base32.decode(secret), as: UTF8.self)
        return String(format: "%06d", TOTP(secret: raw).compute(date: date))
    }

    @Test func totpProtectsSignInAndRecoveryCodesWorkOnce() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let enrol = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken)
            #expect(enrol.status == .ok)
            let enrolment = try enrol.decode(Enrolment.self)
            #expect(enrolment.otpauthUri.hasPrefix("otpauth://totp/MayaGo:"))
            #expect(enrolment.otpauthUri.contains("secret=\(enrolment.secret)"))

            let wrong = try await auth.send(.post, "/api/v1/auth/2fa/confirm", ["code": "000000"], token: session.accessToken)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.problem?.errors?.first?.field == "code")
            let now = Date()
            let confirmed = try await auth.send(.post, "/api/v1/auth/2fa/confirm", ["code": Self.code(enrolment.secret, at: now)], token: session.accessToken)
            #expect(confirmed.status == .ok)
            let codes = try confirmed.decode(Confirmation.self).recoveryCodes
            #expect(codes.count == 10)
            #expect(Set(codes).count == 10)

            let withoutCode = try await auth.login(session.user.email)
            #expect(withoutCode.status == .unauthorized)
            #expect(withoutCode.problem?.code == "totp_required")
            // The confirming code was used; the next step's code signs in once.
            let next = Self.code(enrolment.secret, at: now.addingTimeInterval(30))
            #expect(try await auth.login(session.user.email, totpCode: next).status == .ok)
            let replay = try await auth.login(session.user.email, totpCode: next)
            #expect(replay.status == .unauthorized)
            #expect(replay.problem?.code == "totp_invalid")

            #expect(try await auth.login(session.user.email, totpCode: codes[0]).status == .ok)
            #expect(try await auth.login(session.user.email, totpCode: codes[0]).status == .unauthorized)
            #expect(try await auth.login(session.user.email, totpCode: codes[1].uppercased()).status == .ok)

            let me = try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken)
            #expect(try me.decode(Session.User.self).twoFactorEnabled)

            let disable = try await auth.send(.post, "/api/v1/auth/2fa/disable", ["code": codes[2]], token: session.accessToken)
            #expect(disable.status == .noContent)
            #expect(try await auth.login(session.user.email).status == .ok)
        }
    }

    @Test func enrolmentNeedsASignedInUserAndCannotStartTwice() async throws {
        try await AuthHarness.run { auth in
            #expect(try await auth.send(.post, "/api/v1/auth/2fa/enroll").status == .unauthorized)
            let session = try await auth.register()
            let enrolment = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken).decode(Enrolment.self)
            _ = try await auth.send(.post, "/api/v1/auth/2fa/confirm", ["code": Self.code(enrolment.secret, at: Date())], token: session.accessToken)
            let again = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken)
            #expect(again.status == .conflict)
        }
    }
}

/// RFC 4648 base32, as authenticator apps read the secret.
enum Base32 {
    static func decode(_ text: String) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { continue }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return bytes
    }
}

@Suite struct SecretsAtRestTests {
    static func key(_ id: String) -> String {
        "\(id):" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    /// Signing keys and TOTP secrets are sealed in the database with the data key; after a rotation (a new key put
    /// first) the resealing job seals them again with it, and they still open.
    @Test func signingKeysAndTOTPSecretsAreSealedAndResealedAfterARotation() async throws {
        let old = Self.key("old")
        try await AuthHarness.run(["DATA_ENCRYPTION_KEY": old]) { auth in
            let session = try await auth.register()
            let enrolment = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken).decode(TwoFactorTests.Enrolment.self)
            let stored = try await auth.postgres.query("SELECT totp_secret FROM users WHERE id = \(session.user.id)")
            var secret = ""
            for try await value in stored.decode(String.self) { secret = value }
            #expect(secret.hasPrefix("enc:v1:old:"))
            #expect(!secret.contains(enrolment.secret))
            let keys = try await auth.postgres.query("SELECT private_key FROM signing_keys")
            var sealedKeys = 0
            for try await value in keys.decode(String.self) { if value.hasPrefix("enc:v1:old:") { sealedKeys += 1 } }
            #expect(sealedKeys >= 1)

            let rotated = try DataCipher(keys: "\(Self.key("new")),\(old)")
            let users = Users(postgres: auth.postgres, cipher: rotated, logger: Logger(label: "test"))
            let ring = KeyRing(
                postgres: auth.postgres, cipher: rotated, logger: Logger(label: "test"), clock: .system, tokenLifetime: 900, reloadInterval: .seconds(60))
            #expect(try await users.resealTOTPSecrets() >= 1)
            #expect(try await ring.reseal() >= 1)
            #expect(try await users.find(id: session.user.id)?.totpSecret == DataCipher(keys: old).open(secret))
            #expect(try await ring.publicKeys().keys.isEmpty == false)
            let after = try await auth.postgres.query("SELECT count(*)::int FROM users WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'enc:v1:new:%'")
            for try await count in after.decode(Int.self) { #expect(count == 0) }
        }
    }
}

import Contracts
import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket
import ServiceKit
import TestSupport
import Testing

/// The real executables behind the real gateway.
@Suite(.serialized) struct StackTests {
    @Test func allSevenStartAndAnswerOnTheirPortsAndThroughTheGateway() async throws {
        let stack = try Stack()
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }

        for service in ServiceName.allCases {
            let (data, answer) = try await HTTP.get(stack.url(service, "/health"))
            #expect(answer.statusCode == 200)
            #expect(try JSONDecoder.mayaGo.decode(Readiness.self, from: data).status == .ok)
        }

        // A public path reaches its owner, which answers (no such experience) with a problem that keeps the
        // request id the client sent.
        let missing = UUID().uuidString.lowercased()
        let (data, answer) = try await HTTP.get(stack.url(.gateway, "/api/v1/experiences/\(missing)"), headers: ["X-Request-Id": "e2e-1"])
        #expect(answer.statusCode == 404)
        #expect(answer.headers["content-type"] == ProblemDetails.mediaType)
        #expect(answer.headers["x-request-id"] == "e2e-1")
        #expect(try JSONDecoder.mayaGo.decode(ProblemDetails.self, from: data).requestId == "e2e-1")

        // The owner's access log saw that same request, and the gateway's line names the upstream that answered.
        let sawRequest = await eventually(timeout: .seconds(30)) {
            stack.processes[.booking]!.output(lastLines: 200).contains("\"requestId\":\"e2e-1\"")
        }
        #expect(sawRequest, "\(stack.output)")
        // The gateway writes its line once the answer is sent, so it may come a moment after the client has it.
        var gatewayLine: Substring?
        _ = await eventually(timeout: .seconds(30)) {
            gatewayLine = stack.processes[.gateway]!.output(lastLines: 200).split(separator: "\n").first { $0.contains("\"requestId\":\"e2e-1\"") }
            return gatewayLine != nil
        }
        #expect(gatewayLine?.contains("\"upstream\":\"booking@127.0.0.1:\(stack.ports[.booking]!)\"") == true, "\(stack.output)")
        #expect(gatewayLine?.contains("\"path\":\"/api/v1/experiences/\(missing)\"") == true)

        // Internal routes stay inside.
        let (_, internalAnswer) = try await HTTP.get(stack.url(.gateway, "/internal/v1/notifications"))
        #expect(internalAnswer.statusCode == 404)

        // The assembled document is valid OpenAPI 3.1, as openapi-spec-validator reads it.
        let (document, _) = try await HTTP.get(stack.url(.gateway, "/api/v1/openapi.json"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-openapi-\(UUID().uuidString.prefix(8)).json")
        try document.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = [
            "python3", "-c", "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))", file.path,
        ]
        try validator.run()
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "the assembled OpenAPI document is not valid OpenAPI 3.1")

        // SIGTERM stops every service gracefully.
        await stack.stop()
        for process in stack.processes.values {
            #expect(!process.isRunning)
        }
    }

    @Test func aTravelerSignsUpUsesAnAPIKeyAndSignsOutThroughTheGateway() async throws {
        struct Session: Decodable {
            var accessToken: String
            var refreshToken: String
        }
        struct Me: Decodable {
            var id: UUID
            var email: String
        }
        struct Key: Decodable { var key: String }
        let stack = try Stack()
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }

        let email = "e2e-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let registration = try JSONSerialization.data(withJSONObject: [
            "email": email, "password": "a long enough passphrase", "name": "Eve", "role": "traveler",
        ])
        let (registered, answer) = try await HTTP.send(
            "POST", stack.url(.gateway, "/api/v1/auth/register"), headers: ["Content-Type": "application/json"], body: registration)
        #expect(answer.statusCode == 202, "\(String(decoding: registered, as: UTF8.self))")
        let credentials = try JSONSerialization.data(withJSONObject: ["email": email, "password": "a long enough passphrase"])
        let (signedIn, _) = try await HTTP.send(
            "POST", stack.url(.gateway, "/api/v1/auth/login"), headers: ["Content-Type": "application/json"], body: credentials)
        let session = try JSONDecoder.mayaGo.decode(Session.self, from: signedIn)
        let bearer = ["Authorization": "Bearer \(session.accessToken)"]

        // Auth asked Notify for the verification mail; in development it lands in the mailbox the gateway shows, and
        // its link's token verifies the address.
        struct Letters: Decodable {
            struct Letter: Decodable {
                var to: String
                var subject: String
                var text: String
            }
            var items: [Letter]
        }
        var mail: Letters.Letter?
        _ = try await eventually(timeout: .seconds(30)) {
            let (body, _) = try await HTTP.get(stack.url(.gateway, "/api/v1/dev/mailbox"))
            mail = try? JSONDecoder.mayaGo.decode(Letters.self, from: body).items.first { $0.to == email }
            return mail != nil
        }
        let letter = try #require(mail, "\(stack.output)")
        #expect(letter.subject == "Confirm your email for MayaGo")
        let token = try #require(letter.text.firstMatch(of: /verify-email\?token=([A-Za-z0-9_\-]+)/)?.1)
        let (verified, verifiedAnswer) = try await HTTP.send(
            "POST", stack.url(.gateway, "/api/v1/auth/verify-email"), headers: ["Content-Type": "application/json"],
            body: try JSONSerialization.data(withJSONObject: ["token": String(token)])
        )
        #expect(verifiedAnswer.statusCode == 200, "\(String(decoding: verified, as: UTF8.self))")

        // The gateway verifies the token with Auth's published keys and Auth answers for the user.
        let (me, meAnswer) = try await HTTP.get(stack.url(.gateway, "/api/v1/auth/me"), headers: bearer)
        #expect(meAnswer.statusCode == 200)
        #expect(try JSONDecoder.mayaGo.decode(Me.self, from: me).email == email)
        let (jwks, jwksAnswer) = try await HTTP.get(stack.url(.gateway, "/.well-known/jwks.json"))
        #expect(jwksAnswer.statusCode == 200)
        #expect(String(decoding: jwks, as: UTF8.self).contains("Ed25519"))

        // An API key works through the gateway, which swaps it for an access token.
        let keyBody = try JSONSerialization.data(withJSONObject: ["name": "script", "scopes": ["read"]])
        let (created, _) = try await HTTP.send(
            "POST", stack.url(.gateway, "/api/v1/auth/api-keys"), headers: bearer.merging(["Content-Type": "application/json"]) { $1 }, body: keyBody)
        let key = try JSONDecoder.mayaGo.decode(Key.self, from: created).key
        let (viaKey, keyAnswer) = try await HTTP.get(stack.url(.gateway, "/api/v1/auth/me"), headers: ["Authorization": "ApiKey \(key)"])
        #expect(keyAnswer.statusCode == 200, "\(String(decoding: viaKey, as: UTF8.self))")
        let (_, readOnly) = try await HTTP.send("POST", stack.url(.gateway, "/api/v1/auth/logout"), headers: ["Authorization": "ApiKey \(key)"], body: nil)
        #expect(readOnly.statusCode == 403)

        // A socket opened with the token ends with the session: after logout, Messaging tells it and closes it.
        let ended = NIOLockedValueBox<(told: Bool, after: Duration?)>((false, nil))
        _ = try await withTimeout(.seconds(20)) {
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(stack.ports[.gateway]!)/api/v1/messaging/ws?token=\(session.accessToken)", logger: Logger(label: "e2e")
            ) {
                inbound, outbound, _ in
                try await outbound.write(.text(#"{"type":"ping"}"#))
                var loggedOutAt: ContinuousClock.Instant?
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    if text.contains("\"ping\""), loggedOutAt == nil {
                        // After logout the same access token is refused at the gateway, before any service sees it.
                        let (_, logout) = try await HTTP.send("POST", stack.url(.gateway, "/api/v1/auth/logout"), headers: bearer, body: nil)
                        #expect(logout.statusCode == 204)
                        loggedOutAt = .now
                    } else if text.contains("session_revoked") {
                        ended.withLockedValue { $0.told = true }
                    }
                }
                ended.withLockedValue { $0.after = loggedOutAt.map { .now - $0 } }
            }
        }
        #expect(ended.withLockedValue { $0.told }, "\(stack.output)")
        #expect(ended.withLockedValue { $0.after.map { $0 < .seconds(5) } } == true)
        // Booking, Payment and Notify keep no deny-list of their own: the gateway's refusal is what protects them,
        // so it must cover each of their routes.
        for path in ["/api/v1/bookings", "/api/v1/payments", "/api/v1/payouts/balance", "/api/v1/notifications", "/api/v1/notifications/preferences"] {
            let refused = try await eventually(timeout: .seconds(30)) {
                let (body, answer) = try await HTTP.get(stack.url(.gateway, path), headers: bearer)
                return answer.statusCode == 401 && String(decoding: body, as: UTF8.self).contains("revoked")
            }
            #expect(refused, "\(path)\n\(stack.output)")
        }
        await stack.stop()
    }

    @Test func aProviderListsAnExperienceAndATravelerBooksPaysAndWritesToTheProvider() async throws {
        let stack = try Stack()
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }
        let gateway = { (path: String) in stack.url(.gateway, path) }
        let provider = try await stack.signUp("provider").token
        let traveler = try await stack.signUp("traveler").token

        let (experienceID, slotID) = try await stack.listExperience(
            [
                "title": "Mayan ruins at sunrise", "description": "Cobá before the heat.", "category": "culture", "tags": ["ruins"],
                "location": ["latitude": 20.49, "longitude": -87.73, "city": "Cobá", "country": "MX"], "timeZone": "America/Cancun",
                "durationMinutes": 240, "price": ["amount": 120_000, "currency": "MXN"], "maxGuests": 8, "bookingMode": "instant",
                "cancellationPolicy": "moderate", "languages": ["es", "en"],
            ], by: provider, slotIn: 7, capacity: 6)

        let (booked, booking) = try await stack.call(
            "POST", "/api/v1/bookings", token: traveler, body: ["slotId": slotID, "guests": 2], headers: ["Idempotency-Key": UUID().uuidString])
        #expect(booked == 201)
        let bookingID = try #require(booking["id"] as? String)
        #expect(booking["status"] as? String == "pending_payment")

        // Booking asked Payment through its outbox; the traveler pays with a test card through the gateway.
        var paymentID: String?
        _ = try await eventually(timeout: .seconds(30)) {
            let (_, page) = try await stack.call("GET", "/api/v1/payments?bookingId=\(bookingID)", token: traveler)
            paymentID = ((page["items"] as? [[String: Any]])?.first)?["id"] as? String
            return paymentID != nil
        }
        let payment = try #require(paymentID, "\(stack.output)")
        let (paid, _) = try await stack.call(
            "POST", "/api/v1/payments/\(payment)/confirm", token: traveler,
            body: [
                "card": ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2040, "cvc": "123"]
            ], headers: ["Idempotency-Key": UUID().uuidString])
        #expect(paid == 200)
        // Payment told Booking through its outbox: the booking is confirmed.
        let confirmed = try await eventually(timeout: .seconds(30)) {
            try await stack.call("GET", "/api/v1/bookings/\(bookingID)", token: traveler).1["status"] as? String == "confirmed"
        }
        #expect(confirmed, "\(stack.output)")
        // Booking told Notify, which asked Auth for the traveler's address: the inbox has the confirmation and the receipt.
        let notified = try await eventually(timeout: .seconds(30)) {
            let titles = ((try await stack.call("GET", "/api/v1/notifications", token: traveler).1["items"] as? [[String: Any]]) ?? []).compactMap {
                $0["title"] as? String
            }
            return titles.contains("Booked: Mayan ruins at sunrise") && titles.contains { $0.hasPrefix("Receipt ") }
        }
        #expect(notified, "\(stack.output)")

        // The traveler writes to the provider about the booking; the provider hears it on a socket the gateway relays.
        let (opened, conversation) = try await stack.call(
            "POST", "/api/v1/conversations", token: traveler, body: ["experienceId": experienceID, "bookingId": bookingID])
        #expect(opened == 201)
        let conversationID = try #require(conversation["id"] as? String)
        let heard = NIOLockedValueBox(false)
        let messages = gateway("/api/v1/conversations/\(conversationID)/messages")
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(stack.ports[.gateway]!)/api/v1/messaging/ws?token=\(provider)", logger: Logger(label: "e2e")) {
            inbound, outbound, _ in
            // A ping's ack says the socket is subscribed; then the message is sent over HTTP.
            try await outbound.write(.text(#"{"type":"ping"}"#))
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if text.contains("\"ping\"") {
                    let (_, sent) = try await HTTP.send(
                        "POST", messages, headers: ["Authorization": "Bearer \(traveler)", "Content-Type": "application/json"],
                        body: Data(#"{"body": "¿Hay estacionamiento?", "clientMessageId": "e2e-1"}"#.utf8)
                    )
                    #expect(sent.statusCode == 201)
                } else if text.contains("estacionamiento") {
                    heard.withLockedValue { $0 = true }
                    break
                }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        #expect(heard.withLockedValue { $0 }, "\(stack.output)")

        // What operators see on each service's /metrics: this stack's one booking, payment and message, and the
        // database samples.
        func sample(_ service: ServiceName, _ series: String) async throws -> Double? {
            let (data, _) = try await HTTP.get(stack.url(service, "/metrics"))
            return String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(try await sample(.booking, "mayago_bookings_created") == 1)
        #expect(try await sample(.booking, #"mayago_bookings_transitions{to="confirmed"}"#) == 1)
        #expect(try await sample(.payment, #"mayago_payments_captured{currency="MXN"}"#) == 1)
        #expect(try await sample(.messaging, "mayago_messages_sent") == 1)
        let samples = NIOLockedValueBox<[Double?]>([])
        let sampled = try await eventually(timeout: .seconds(20)) {
            let pending = try await sample(.booking, "mayago_outbox_pending")
            let pool = try await sample(.booking, "mayago_postgres_pool_size")
            let open = try await sample(.booking, #"mayago_postgres_connections{state="open"}"#)
            samples.withLockedValue { $0 = [pending, pool, open] }
            return pending != nil && pool == 4 && (open ?? 0) >= 1  // 4: the tests' pool size
        }
        #expect(sampled, "outbox pending, pool size, open connections: \(samples.withLockedValue { $0 })\n\(stack.output)")
        await stack.stop()
    }

    /// Behind a trusted proxy every request comes from the proxy's address: Auth counts failed sign-ins per client
    /// by the address the gateway resolved and sealed, so thirty bad sign-ins from one client lock out that client,
    /// not everyone behind the same proxy. (The test's loopback connection plays the trusted proxy.)
    @Test func oneClientsFailedSignInsDoNotLockOutAnotherBehindTheSameProxy() async throws {
        let stack = try Stack(["TRUSTED_PROXIES": "127.0.0.1/32", "BCRYPT_COST": "4", "LOGIN_IP_MAX_FAILURES": "30"])
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }
        func post(_ path: String, _ body: [String: Any], from client: String) async throws -> Int {
            let headers = ["Content-Type": "application/json", "X-Forwarded-For": client]
            return try await HTTP.send("POST", stack.url(.gateway, path), headers: headers, body: try JSONSerialization.data(withJSONObject: body)).1.statusCode
        }
        let email = "bystander-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let password = "a long enough passphrase"
        #expect(
            try await post("/api/v1/auth/register", ["email": email, "password": password, "name": "Bea", "role": "traveler"], from: "198.51.100.8") == 202)
        for attempt in 0..<30 {
            _ = try await post("/api/v1/auth/login", ["email": "guess-\(attempt)@example.com", "password": "wrong password"], from: "198.51.100.7")
        }
        #expect(try await post("/api/v1/auth/login", ["email": email, "password": password], from: "198.51.100.7") == 429)
        #expect(try await post("/api/v1/auth/login", ["email": email, "password": password], from: "198.51.100.8") == 200, "\(stack.output)")
        await stack.stop()
    }

    /// `make run` loads the demo data with scripts/seed.sh, also on a second run soon after the first, when the
    /// gateway's sign-up limit (kept in Redis across runs) is spent: the seed signs up and in at Auth itself, and
    /// what exists is kept.
    @Test func theDemoDataLoadsAgainWhenTheSignUpLimitIsSpent() async throws {
        // A Redis database of its own: the spent sign-up bucket of 127.0.0.1 would refuse the other tests' sign-ups.
        let stack = try Stack(["RATE_LIMIT_SENSITIVE": "2/15m", "REDIS_URL": TestEnvironment.redisURL + "/8"])
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }
        var statuses: [Int] = []
        for _ in 0..<3 {
            let body = try JSONSerialization.data(withJSONObject: [
                "email": "x-\(UUID())@example.com", "password": "a long enough passphrase", "name": "X", "role": "traveler",
            ])
            statuses.append(
                try await HTTP.send("POST", stack.url(.gateway, "/api/v1/auth/register"), headers: ["Content-Type": "application/json"], body: body).1
                    .statusCode)
        }
        #expect(statuses.last == 429)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/seed.sh").standardized.path
        for run in 1...2 {
            let seed = Process()
            seed.executableURL = URL(fileURLWithPath: "/bin/bash")
            seed.arguments = [script, stack.url(.gateway, "").absoluteString, TestEnvironment.databaseURL, stack.url(.auth, "").absoluteString]
            try seed.run()
            seed.waitUntilExit()
            #expect(seed.terminationStatus == 0, "seed run \(run)\n\(stack.output)")
        }
        let credentials = try JSONSerialization.data(withJSONObject: ["email": "luis@mayago.test", "password": "luis-demo-provider"])
        let (signedIn, answer) = try await HTTP.send(
            "POST", stack.url(.auth, "/api/v1/auth/login"), headers: ["Content-Type": "application/json"], body: credentials)
        #expect(answer.statusCode == 200)
        let luis = try #require((try JSONSerialization.jsonObject(with: signedIn) as? [String: Any])?["user"] as? [String: Any])
        let (listed, _) = try await HTTP.get(stack.url(.gateway, "/api/v1/experiences?providerId=\(luis["id"] as? String ?? "")"))
        #expect(((try JSONSerialization.jsonObject(with: listed) as? [String: Any])?["items"] as? [Any])?.count == 3)
        // Luis's public page: his profile from Auth, his experiences from Booking, through the gateway.
        let (page, pageAnswer) = try await HTTP.get(stack.url(.gateway, "/api/v1/providers/\(luis["id"] as? String ?? "")"))
        #expect(pageAnswer.statusCode == 200)
        let shown = try JSONSerialization.jsonObject(with: page) as? [String: Any]
        #expect(shown?["city"] as? String == "Valladolid")
        #expect((shown?["experiences"] as? [Any])?.count == 3)

        // The demo admin has two-factor authentication on, as the role needs: with the code, the admin routes open.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        let totp = Process()
        let output = Pipe()
        totp.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The next step's code: the seed spent the current one if it turned two-factor on just now.
        let database = String(TestEnvironment.databaseURL.split(separator: "/").last?.split(separator: "?").first ?? "")
        totp.arguments = ["python3", "\(root)/scripts/totp.py", "\(root)/run/demo-admin-totp-secret-\(database)", "30"]
        totp.standardOutput = output
        try totp.run()
        totp.waitUntilExit()
        let code = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let adminCredentials = try JSONSerialization.data(withJSONObject: ["email": "admin@mayago.test", "password": "admin-demo-password", "totpCode": code])
        let (adminSession, adminAnswer) = try await HTTP.send(
            "POST", stack.url(.auth, "/api/v1/auth/login"), headers: ["Content-Type": "application/json"], body: adminCredentials)
        #expect(adminAnswer.statusCode == 200, "\(String(decoding: adminSession, as: UTF8.self))")
        let adminToken = (try JSONSerialization.jsonObject(with: adminSession) as? [String: Any])?["accessToken"] as? String ?? ""
        let (_, ledger) = try await HTTP.get(stack.url(.gateway, "/api/v1/payments/ledger"), headers: ["Authorization": "Bearer \(adminToken)"])
        #expect(ledger.statusCode == 200)
        await stack.stop()
    }

    @Test func aBadSettingStopsAServiceWithAMessageNamingIt() async throws {
        let process = try ChildProcess("\(TestEnvironment.binPath)/booking", environment: ["HTTP_PORT": "eighty"], name: "booking-bad-port")
        let stopped = await eventually(timeout: .seconds(30)) { !process.isRunning }
        #expect(stopped)
        #expect(process.output().contains("HTTP_PORT=\"eighty\" is invalid"))
    }
}

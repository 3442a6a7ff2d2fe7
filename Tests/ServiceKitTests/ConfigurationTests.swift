import Contracts
import Foundation
import ServiceKit
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsWorkLocally() throws {
        let configuration = try ServiceConfiguration(service: .booking, settings: .variables([:]))
        #expect(configuration.port == 8082)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.environment == .development)
        #expect(configuration.databaseURL.absoluteString == "postgres://mayago@127.0.0.1:55432/mayago")
        #expect(configuration.peers[.payment]?.map(\.absoluteString) == ["http://127.0.0.1:8083"])
        #expect(configuration.peers[.gateway] == nil)
    }

    @Test(arguments: [
        ("HTTP_PORT", "eighty", "HTTP_PORT=\"eighty\" is invalid: expected an integer from 0 to 65535"),
        ("HTTP_PORT", "70000", "HTTP_PORT=\"70000\" is invalid: expected an integer from 0 to 65535"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL=\"loud\" is invalid: expected one of trace, debug, info, notice, warning, error, critical"),
        ("MAYAGO_ENV", "staging", "MAYAGO_ENV=\"staging\" is invalid: expected one of development, test, production"),
        ("PAYMENT_URL", "ftp://x", "PAYMENT_URL=\"ftp://x\" is invalid: expected a URL with scheme http or https and a host"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL is invalid: expected a URL with scheme postgres or postgresql and a host"),
        ("SERVICE_SECRET", "short", "SERVICE_SECRET is invalid: expected at least 32 characters"),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318",
            "OTEL_EXPORTER_OTLP_ENDPOINT=\"collector:4318\" is invalid: expected a URL with scheme http or https and a host"
        ),
    ])
    func badValuesNameTheirVariable(variable: String, value: String, message: String) {
        #expect {
            try ServiceConfiguration(service: .auth, settings: .variables([variable: value]))
        } throws: { error in
            (error as? ConfigurationError)?.description == message
        }
    }

    @Test func tracesAreOffUnlessACollectorIsNamedAndItsProtocolIsOneBuiltIn() throws {
        #expect(try ServiceConfiguration(service: .notify, settings: .variables([:])).tracesEndpoint == nil)
        let traced = try ServiceConfiguration(
            service: .notify, settings: .variables(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]))
        #expect(traced.tracesEndpoint?.absoluteString == "http://collector:4318")
        #expect {
            try ServiceConfiguration(
                service: .notify, settings: .variables(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]))
        } throws: { error in
            (error as? ConfigurationError)?.description == "OTEL_EXPORTER_OTLP_PROTOCOL=\"grpc\" is invalid: expected one of http/protobuf, http/json"
        }
    }

    @Test func peersMayHaveSeveralInstances() throws {
        let configuration = try ServiceConfiguration(
            service: .gateway,
            settings: .variables(["BOOKING_URL": "http://10.0.0.1:8082, http://10.0.0.2:8082"])
        )
        #expect(configuration.peers[.booking]?.map(\.absoluteString) == ["http://10.0.0.1:8082", "http://10.0.0.2:8082"])
    }

    @Test func productionRefusesTheDevelopmentSecret() {
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(service: .auth, settings: .variables(["MAYAGO_ENV": "production"]))
        }
        for secret in ["mayago-demo-service-secret-not-for-production", "change-me-to-a-long-random-secret-of-your-own"] {
            #expect {
                try ServiceConfiguration(service: .auth, settings: .variables(["MAYAGO_ENV": "production", "SERVICE_SECRET": secret]))
            } throws: { error in
                (error as? ConfigurationError)?.variable == "SERVICE_SECRET"
            }
        }
        let secret = String(repeating: "s", count: 40)
        #expect(throws: Never.self) {
            try ServiceConfiguration(service: .auth, settings: .variables(["MAYAGO_ENV": "production", "SERVICE_SECRET": secret]))
        }
    }

    @Test func variableNamesFollowTheKeys() {
        #expect(Settings.variable(for: "outbox.poll.ms") == "OUTBOX_POLL_MS")
        #expect(Settings.variable(for: "http.port") == "HTTP_PORT")
    }
}

@Suite struct DataCipherTests {
    static func key(_ id: String) -> String {
        "\(id):" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    @Test func sealsOpensAndRotates() throws {
        let old = Self.key("a")
        let new = Self.key("b")
        let before = try DataCipher(keys: old)
        let sealed = try before.seal("JBSWY3DPEHPK3PXP")
        #expect(sealed.hasPrefix("enc:v1:a:"))
        #expect(!sealed.contains("JBSWY3DPEHPK3PXP"))
        #expect(try before.open(sealed) == "JBSWY3DPEHPK3PXP")
        #expect(try before.seal("x") != before.seal("x"))

        let after = try DataCipher(keys: "\(new),\(old)")
        #expect(try after.open(sealed) == "JBSWY3DPEHPK3PXP")
        #expect(after.needsResealing(sealed))
        #expect(!after.needsResealing(try after.seal("y")))
        // Stored before encryption: read as it is, and due for sealing.
        #expect(try after.open("legacy") == "legacy")
        #expect(after.needsResealing("legacy"))
        // A key that is gone cannot open what it sealed; a tampered value does not open.
        #expect(throws: (any Error).self) { try DataCipher(keys: new).open(sealed) }
        var tampered = Array(sealed)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(throws: (any Error).self) { try before.open(String(tampered)) }
    }

    @Test(arguments: ["", "nokey", "a:short", "a:!!!", "a b:\(Data(count: 32).base64EncodedString())"])
    func malformedKeysNameTheVariable(text: String) {
        #expect { try DataCipher(keys: text) } throws: { ($0 as? ConfigurationError)?.variable == "DATA_ENCRYPTION_KEY" }
    }

    @Test func productionNeedsAKeyOfItsOwn() throws {
        for variables in [[:], ["DATA_ENCRYPTION_KEY": DataCipher.developmentKey]] {
            #expect { try DataCipher(settings: .variables(variables), environment: .production) } throws: {
                ($0 as? ConfigurationError)?.variable == "DATA_ENCRYPTION_KEY"
            }
        }
        _ = try DataCipher(settings: .variables(["DATA_ENCRYPTION_KEY": Self.key("k1")]), environment: .production)
        _ = try DataCipher(settings: .variables([:]), environment: .development)
    }
}

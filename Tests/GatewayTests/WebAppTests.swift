import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Gateway

@Suite struct WebAppTests {
    /// A web app of three files in a folder of the test's own.
    static func site() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-web-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try "<!doctype html><title>MayaGo</title><script type=\"module\" src=\"/js/app.js\"></script>".write(
            to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try String(repeating: "console.log('MayaGo');\n", count: 100).write(to: root.appendingPathComponent("js/app.js"), atomically: true, encoding: .utf8)
        try "secret".write(to: root.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func theAppIsServedAtTheRootAndForItsOwnPagesUnderAStrictPolicy() async throws {
        let root = try Self.site()
        defer { try? FileManager.default.removeItem(at: root) }
        try await GatewayHarness.withGateway(["WEB_ROOT": root.path]) { client in
            let eTag = try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-cache")
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.hasPrefix("default-src 'self'; script-src 'self'; style-src 'self';") && !policy.contains("unsafe"))
                #expect(response.text.contains("<title>MayaGo</title>"))
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: eTag]) { #expect($0.status == .notModified) }
            // The app's own pages (the links in mails among them) get its shell.
            for page in ["/verify-email?token=abc", "/reset-password?token=abc", "/experiences/5f0c", "/sign-in"] {
                try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .ok && response.headers[.eTag] == eTag, "\(page)")
                }
            }
            try await client.execute(uri: "/js/app.js", method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(response.headers[.contentEncoding] == "gzip")
            }
            // Files the app does not have, files of other kinds and the API's trees are never its pages.
            for path in ["/js/missing.js", "/notes.md", "/../Package.swift", "/api/v1/nothing-here", "/internal/v1/feed", "/.well-known/other"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.contentType] != "text/html; charset=utf-8", "\(path)")
                }
            }
            try await client.execute(uri: "/docs", method: .get) { #expect($0.text.contains("swagger-ui")) }
        }
    }

    @Test func stripeJSIsAllowedOnlyWhenTheDeploymentSaysSo() async throws {
        let root = try Self.site()
        defer { try? FileManager.default.removeItem(at: root) }
        for allowed in [false, true] {
            try await GatewayHarness.withGateway(["WEB_ROOT": root.path, "WEB_STRIPE_JS": "\(allowed)"]) { client in
                try await client.execute(uri: "/", method: .get) { response in
                    let policy = try #require(response.headers[.contentSecurityPolicy])
                    #expect(policy.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;") == allowed, "\(policy)")
                    #expect(policy.contains("frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;") == allowed)
                    #expect(policy.contains("connect-src 'self' https://api.stripe.com;") == allowed)
                    #expect(policy.hasSuffix("frame-ancestors 'none'; base-uri 'none'; form-action 'self'") && !policy.contains("unsafe"))
                }
            }
        }
    }

    @Test func theRepositorysAppLoadsOnlyItsOwnScriptsAndIsInstallable() async throws {
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("<script type=\"module\" src=\"/js/app.js\"></script>"))
                #expect(!response.text.contains("<script>") && !response.text.contains("http://") && !response.text.contains("https://"))
                #expect(response.text.contains("<link rel=\"manifest\" href=\"/manifest.webmanifest\">"))
            }
            try await client.execute(uri: "/manifest.webmanifest", method: .get) { response in
                #expect(response.headers[.contentType] == "application/manifest+json")
                #expect(response.text.contains("\"start_url\": \"/\""))
            }
            for script in ["/js/app.js", "/js/api.js", "/js/i18n.js", "/sw.js"] {
                try await client.execute(uri: script, method: .get) { #expect($0.status == .ok, "\(script)") }
            }
        }
    }
}

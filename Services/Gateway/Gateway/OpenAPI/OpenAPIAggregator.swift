import AsyncHTTPClient
import Contracts
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Assembles the public API's one OpenAPI 3.1 document from the services' own (`/openapi.json` on each),
/// adding what the gateway contributes: the bearer scheme, problem details and rate limit headers. A service's
/// part is refetched after `maximumAge`; while a service cannot be reached its last known part is kept.
actor OpenAPIAggregator {
    private let pools: [UpstreamPool]
    private let http: HTTPClient
    private let logger: Logger
    private let maximumAge: Duration
    private var parts: [String: (document: JSONValue, fetched: ContinuousClock.Instant)] = [:]

    init(pools: [UpstreamPool], http: HTTPClient, logger: Logger, maximumAge: Duration = .seconds(30)) {
        self.pools = pools.sorted { $0.service.rawValue < $1.service.rawValue }
        self.http = http
        self.logger = logger
        self.maximumAge = maximumAge
    }

    func document() async -> JSONValue {
        await withTaskGroup(of: (String, JSONValue?).self) { group in
            for pool in pools where isStale(pool.service.rawValue) {
                group.addTask { (pool.service.rawValue, await self.fetch(from: pool)) }
            }
            for await (service, document) in group {
                if let document { parts[service] = (document, .now) }
            }
        }
        return Self.merge(parts.keys.sorted().compactMap { parts[$0]?.document })
    }

    private func isStale(_ service: String) -> Bool {
        parts[service].map { ContinuousClock.now - $0.fetched > maximumAge } ?? true
    }

    private func fetch(from pool: UpstreamPool) async -> JSONValue? {
        guard let instance = pool.pick() else { return nil }
        do {
            let response = try await http.execute(HTTPClientRequest(url: instance.baseURL + "/openapi.json"), timeout: .seconds(2), logger: logger)
            guard response.status == .ok else { return nil }
            return try JSONDecoder().decode(JSONValue.self, from: try await response.body.collect(upTo: 4 << 20))
        } catch {
            logger.warning("Cannot fetch an OpenAPI document", metadata: ["upstream": .string(pool.service.rawValue), "error": "\(error)"])
            return nil
        }
    }

    /// The services' paths, schemas and shared responses in one document, with the gateway's common parts and
    /// its own answers on every operation (``EdgeResponses``).
    static func merge(_ documents: [JSONValue], rules: AccessRules = .mayaGo) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas = gatewaySchemas
        var responses = EdgeResponses.definitions
        for document in documents {
            paths.merge(document["paths"]?.objectValue ?? [:]) { first, _ in first }
            schemas.merge(document["components"]?["schemas"]?.objectValue ?? [:]) { first, _ in first }
            responses.merge(document["components"]?["responses"]?.objectValue ?? [:]) { _, service in service }
        }
        paths = EdgeResponses.complete(paths, rules: rules)
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("MayaGo API"),
                "version": .string("1.0.0"),
                "description": .string(
                    "The public API of MayaGo. Errors are RFC 9457 problem details; every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset."
                ),
            ]),
            "servers": .array([.object(["url": .string("/")])]),
            "security": .array([.object(["bearer": .array([])])]),
            "paths": .object(paths),
            "components": .object([
                "schemas": .object(schemas),
                "responses": .object(responses),
                "securitySchemes": .object([
                    "bearer": .object(["type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("JWT")])
                ]),
            ]),
        ])
    }

    static let gatewaySchemas: [String: JSONValue] = [
        "ProblemDetails": .object([
            "type": .string("object"),
            "required": .array([.string("type"), .string("title"), .string("status")]),
            "properties": .object([
                "type": .object(["type": .string("string")]),
                "title": .object(["type": .string("string")]),
                "status": .object(["type": .string("integer")]),
                "detail": .object(["type": .string("string")]),
                "requestId": .object(["type": .string("string")]),
                "code": .object(["type": .string("string")]),
                "errors": .object([
                    "type": .string("array"),
                    "items": .object([
                        "type": .string("object"),
                        "properties": .object(["field": .object(["type": .string("string")]), "message": .object(["type": .string("string")])]),
                    ]),
                ]),
            ]),
        ])
    ]
}

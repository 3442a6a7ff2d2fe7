/// The Notify service's part of the public API as an OpenAPI 3.1 document, served at `/openapi.json`; the gateway
/// merges every service's into `/api/v1/openapi.json`. Each route is added here with the route itself.
enum NotifyAPI {
    static let document = """
        {
          "openapi": "3.1.0",
          "info": {"title": "MayaGo Notify", "version": "1.0.0"},
          "paths": {},
          "components": {"schemas": {}}
        }
        """
}

// Starts Swagger UI on the gateway's assembled document; a file, not an inline script, so that /docs runs under a
// Content-Security-Policy of 'self' only.
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#api" });

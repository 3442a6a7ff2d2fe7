import Contracts
import Foundation
import Hummingbird
import Mustache
import ServiceKit

/// `GET /api/v1/invoices/{id}`: JSON, or HTML for `Accept: text/html`; the traveler's receipt, or for the provider
/// the same invoice with the commission and their earnings.
struct InvoiceRoutes {
    let payment: PaymentService
    let template: MustacheTemplate

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/invoices/:id", use: show)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let invoice = try await payment.invoice(id, seenBy: identity)
        guard request.headers[.accept]?.contains("text/html") == true else { return try .json(invoice) }
        let html = template.render(Self.view(invoice))
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// What the template shows; Mustache escapes every value.
    static func view(_ invoice: Invoice) -> [String: Any] {
        var view: [String: Any] = [
            "title": invoice.audience == .traveler ? "receipt" : "invoice",
            "number": invoice.number ?? "(being numbered)",
            "issued": ISO8601Format.string(invoice.issuedAt),
            "bookingId": invoice.bookingId.lowercasedString,
            "lines": invoice.lines.map { ["description": $0.description, "amount": $0.amount.formatted] },
            "total": invoice.total.formatted,
        ]
        if invoice.refunded.amount > 0 { view["refunded"] = invoice.refunded.formatted }
        if let commission = invoice.commission { view["commission"] = commission.formatted }
        if let net = invoice.net { view["net"] = net.formatted }
        return view
    }
}

import Foundation
import Logging
import ServiceKit

/// Numbers the invoices opened since and sends their receipts.
struct InvoiceNumbering: PeriodicWork {
    let payment: PaymentService

    func runOnce() async {
        do {
            try await payment.transaction { connection in
                for (invoice, paymentID, number) in try await payment.invoices.number(on: connection) {
                    guard let paid = try await payment.payments.find(paymentID, on: connection) else { continue }
                    try await payment.sendReceipt(invoice: invoice, number: number, for: paid, on: connection)
                }
            }
        } catch {
            payment.logger.warning("Invoice numbering failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }
}

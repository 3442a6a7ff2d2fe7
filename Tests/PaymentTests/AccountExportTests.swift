import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import Testing

@testable import Payment

@Suite struct AccountExportTests {
    @Test func aPersonsPaymentsAndPayoutAccountGoToAuthForTheirExportOnly() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let stranger = try await PaymentHarness.user(.traveler)
            let made = try await payments.payment(traveler: traveler, provider: provider)
            #expect(try await payments.pay(made, as: traveler).status == .ok)

            func export(_ user: PaymentHarness.User, as caller: ServiceName) async throws -> TestResponse {
                let credential = await ServiceCredential(service: caller, secret: payments.serviceSecret)
                return try await payments.client.executeRequest(
                    uri: AccountExport.path(user.id), method: .get,
                    headers: [.authorization: "Bearer \(try await credential.token(for: .payment))"], body: ByteBuffer())
            }
            #expect(try await export(traveler, as: .booking).status == .forbidden)
            let records = try await export(traveler, as: .auth).decode(AccountExport.self).records
            guard case .array(let rows) = records["payments"], case .object(let row)? = rows.first else {
                Issue.record("no payments in \(records)")
                return
            }
            #expect(rows.count == 1 && row["id"] == .string(made.id.uuidString.lowercased()) && row["amount"] == .number(255_000))
            #expect(row["client_secret"] == nil)
            #expect(try await export(provider, as: .auth).decode(AccountExport.self).records["payments"] == .array(rows))
            #expect(try await export(stranger, as: .auth).decode(AccountExport.self).records["payments"] == .array([]))
        }
    }
}

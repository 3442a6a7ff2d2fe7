import Foundation
import ServiceKit

/// Payment's own settings, read and checked once at start. Production must name Stripe, with its key and webhook
/// secret: the local provider takes test cards as payment, so it would give bookings away.
///
/// | variable | default |
/// |---|---|
/// | `COMMISSION_BASIS_POINTS` | `1500`: the platform's share, 15 % |
/// | `PAYOUT_INTERVAL_MS`, `PAYOUT_MINIMUM` | `3600000`, `10000`: hourly, balances of at least 100.00 (in minor units) |
/// | `PAYMENT_PROVIDER` | `local` (Stripe's test cards, nothing leaves the machine) or `stripe`; in production no default, and `local` is refused |
/// | `STRIPE_API_KEY`, `STRIPE_API_URL` | required with `stripe`; `https://api.stripe.com` |
/// | `PUBLIC_URL` | `http://localhost:8080`: where Stripe onboarding sends providers back |
/// | `PAYOUT_RATES` | none: `FROM/TO=rate` pairs (`MXN/USD=0.0550`) for providers paid in another currency |
/// | `INVOICE_NUMBERING_INTERVAL_MS` | `1000`: how soon a paid payment's invoice gets its number and the receipt goes out |
/// | `WEBHOOK_READBACK_INTERVAL_MS` | `600000`: how often Stripe's charge events are read back, for webhooks that never came |
/// | `STRIPE_WEBHOOK_SECRET` | none: the `whsec_…` secret that signs Stripe's webhooks; without it the route is a 404 (required in production) |
/// | `STRIPE_PUBLISHABLE_KEY` | none: the `pk_…` key Stripe.js takes in the web app (required with `stripe` in production) |
struct PaymentSettings: Sendable {
    enum ProviderChoice: String, CaseIterable {
        case local, stripe
    }

    /// Stripe's API: the secret key and where it answers.
    struct StripeAPI: Sendable {
        var apiKey: String
        var baseURL: URL
    }

    var commissionBasisPoints: Int
    var payoutMinimum: Int64
    var payoutInterval: Duration
    var payoutRates: PayoutRates
    var invoiceNumberingInterval: Duration
    var webhookReadBackInterval: Duration
    /// Set when `PAYMENT_PROVIDER` is `stripe`; the local provider otherwise.
    var stripe: StripeAPI?
    var webhookSecret: String?
    /// Stripe.js's key, given to browsers: not a secret.
    var publishableKey: String?
    var publicURL: URL

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        commissionBasisPoints = try settings.int("commission.basis.points", default: 1500, in: 0...10_000)
        payoutMinimum = Int64(try settings.int("payout.minimum", default: 10_000, in: 1...Int(Int32.max)))
        payoutInterval = try settings.milliseconds("payout.interval.ms", default: .seconds(3600))
        let rates = settings.optionalString("payout.rates") ?? ""
        guard let parsed = PayoutRates(rates) else {
            throw ConfigurationError(variable: "PAYOUT_RATES", expected: "FROM/TO=rate pairs such as MXN/USD=0.0550,EUR/USD=1.08", value: rates)
        }
        payoutRates = parsed
        invoiceNumberingInterval = try settings.milliseconds("invoice.numbering.interval.ms", default: .seconds(1))
        webhookReadBackInterval = try settings.milliseconds("webhook.readback.interval.ms", default: .seconds(600))
        let provider = try settings.choice("payment.provider", default: ProviderChoice.local)
        webhookSecret = settings.optionalString("stripe.webhook.secret", isSecret: true)
        publicURL = try settings.url("public.url", default: "http://localhost:8080", schemes: ["http", "https"])
        if configuration.environment == .production {
            guard provider == .stripe else {
                throw ConfigurationError(
                    variable: "PAYMENT_PROVIDER",
                    expected: "stripe in production (the local test-card provider is for development)",
                    value: settings.optionalString("payment.provider")
                )
            }
            guard webhookSecret != nil else {
                throw ConfigurationError(variable: "STRIPE_WEBHOOK_SECRET", expected: "Stripe's webhook signing secret (whsec_…) in production", value: nil)
            }
        }
        publishableKey = settings.optionalString("stripe.publishable.key")
        if let publishableKey, !publishableKey.hasPrefix("pk_") {
            throw ConfigurationError(variable: "STRIPE_PUBLISHABLE_KEY", expected: "Stripe's publishable key (pk_…), never the secret one", value: nil)
        }
        if provider == .stripe {
            guard let apiKey = settings.optionalString("stripe.api.key", isSecret: true) else {
                throw ConfigurationError(variable: "STRIPE_API_KEY", expected: "a secret key (sk_…) when PAYMENT_PROVIDER=stripe", value: nil)
            }
            stripe = StripeAPI(apiKey: apiKey, baseURL: try settings.url("stripe.api.url", default: "https://api.stripe.com", schemes: ["https", "http"]))
        }
        if provider == .stripe && configuration.environment == .production && publishableKey == nil {
            throw ConfigurationError(variable: "STRIPE_PUBLISHABLE_KEY", expected: "Stripe's publishable key (pk_…) for the web app in production", value: nil)
        }
    }
}

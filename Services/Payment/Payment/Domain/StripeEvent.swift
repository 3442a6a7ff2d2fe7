import Contracts
import Foundation

/// The parts of a Stripe event that MayaGo reads.
struct StripeEvent: Decodable {
    struct Body: Decodable {
        var object: JSONValue
    }

    var id: String
    var type: String
    var data: Body

    /// The MayaGo payment the object names in its metadata (set when the PaymentIntent was made).
    var paymentID: UUID? {
        guard case .string(let text)? = data.object["metadata"]?["payment_id"] else { return nil }
        return UUID(uuidString: text)
    }

    /// The PaymentIntent the object belongs to (a dispute names its payment this way).
    var paymentIntent: String? {
        guard case .string(let intent)? = data.object["payment_intent"] else { return nil }
        return intent
    }
}

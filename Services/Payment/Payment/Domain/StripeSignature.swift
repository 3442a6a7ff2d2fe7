import Contracts
import Crypto
import Foundation

/// Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">[,v1=…]`, valid
/// when one `v1` matches and `t` is within the tolerance of now.
struct StripeSignature: Sendable {
    let secret: String
    var tolerance: TimeInterval = 300

    enum Failure: Error, Equatable {
        case malformed, stale, mismatch
    }

    func verify(header: String?, payload: Data, now: Date) throws(Failure) {
        guard let header else { throw .malformed }
        var timestamp: TimeInterval?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = TimeInterval(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - timestamp) <= tolerance else { throw .stale }
        let expected = Self.sign(payload, timestamp: Int(timestamp), secret: secret)
        // Every candidate is compared in full, in time that does not depend on where they differ.
        guard signatures.map({ Self.constantTimeEquals($0, expected) }).contains(true) else { throw .mismatch }
    }

    static func sign(_ payload: Data, timestamp: Int, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(payload)
        return HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))).hexString
    }

    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

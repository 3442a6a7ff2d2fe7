import Crypto
import Foundation

/// The client's address as the gateway resolved it (honouring `TRUSTED_PROXIES`), sent to the services in one
/// header that the gateway sets and signs with the service secret: a service believes the address only with a
/// valid seal, so neither a client nor a peer without the secret can choose the address a lockout counts.
public struct ClientAddressSeal: Sendable {
    public static let header = "X-MayaGo-Client"
    /// The MAC keyed once: the gateway seals every request it forwards, and keying hashes the key's two pads.
    private let keyed: HMAC<SHA256>

    public init(secret: String) {
        // A key of its own, derived from the service secret, so that a seal is never a valid credential or the reverse.
        keyed = HMAC(key: SymmetricKey(data: SHA256.hash(data: Data(("mayago client address\n" + secret).utf8))))
    }

    /// The header's value: the address and a MAC over it and the request's id.
    public func seal(_ address: String, requestID: String) -> String {
        "\(address); mac=\(mac(address, requestID: requestID))"
    }

    /// The address in `value` if its seal is valid for this request.
    public func open(_ value: String, requestID: String) -> String? {
        guard let separator = value.range(of: "; mac=") else { return nil }
        let address = String(value[..<separator.lowerBound])
        let given = Data(value[separator.upperBound...].utf8)
        let expected = Data(mac(address, requestID: requestID).utf8)
        guard given.count == expected.count, zip(given, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return address
    }

    private func mac(_ address: String, requestID: String) -> String {
        var code = keyed
        var (address, requestID) = (address, requestID)
        address.withUTF8 { code.update(data: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(ascii: "\n")) { code.update(data: $0) }
        requestID.withUTF8 { code.update(data: UnsafeRawBufferPointer($0)) }
        return Data(code.finalize()).base64EncodedString()
    }
}

import Crypto
import Foundation

/// Encrypts the secrets a service keeps in its tables (signing keys, TOTP secrets) with AES-GCM, so that a copy of
/// the database (a backup, a replica, a dump) does not give them away. The keys come from `DATA_ENCRYPTION_KEY`:
/// `id:base64,id:base64,…`, 32 bytes each, the first encrypting and every one decrypting, so that a key is rotated
/// by putting a new one first; a stored value names the key that sealed it, and values sealed with an older key
/// (or stored before encryption) are sealed again with the current one (``needsResealing(_:)``).
public struct DataCipher: Sendable {
    public static let developmentKey = "dev:" + Data(SHA256.hash(data: Data("mayago development data key".utf8))).base64EncodedString()
    static let prefix = "enc:v1:"

    let currentID: String
    let keys: [String: SymmetricKey]

    /// `DATA_ENCRYPTION_KEY`; the development key when unset, which production refuses, as it refuses any key
    /// written in this repository.
    public init(settings: Settings, environment: DeploymentEnvironment) throws {
        let text = settings.optionalString("data.encryption.key", isSecret: true)
        if environment == .production, text == nil || text == Self.developmentKey {
            throw ConfigurationError(variable: "DATA_ENCRYPTION_KEY", expected: "keys of your own in production (id:base64 of 32 random bytes)", value: nil)
        }
        try self.init(keys: text ?? Self.developmentKey)
    }

    public init(keys text: String) throws {
        var keys: [String: SymmetricKey] = [:]
        var order: [String] = []
        for entry in text.split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
                let bytes = Data(base64Encoded: parts[1]), bytes.count == 32, keys[parts[0]] == nil
            else {
                throw ConfigurationError(
                    variable: "DATA_ENCRYPTION_KEY", expected: "id:base64 pairs of 32-byte keys, comma-separated, the current first", value: nil)
            }
            keys[parts[0]] = SymmetricKey(data: bytes)
            order.append(parts[0])
        }
        guard let first = order.first else {
            throw ConfigurationError(variable: "DATA_ENCRYPTION_KEY", expected: "at least one id:base64 key", value: nil)
        }
        currentID = first
        self.keys = keys
    }

    /// `plaintext` sealed with the current key: `enc:v1:<key id>:<base64 of nonce, ciphertext and tag>`.
    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: keys[currentID]!)
        return Self.prefix + currentID + ":" + box.combined!.base64EncodedString()
    }

    /// The plaintext of a stored value; a value stored before encryption is returned as it is.
    public func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        let rest = stored.dropFirst(Self.prefix.count)
        guard let colon = rest.firstIndex(of: ":"), let key = keys[String(rest[..<colon])],
            let combined = Data(base64Encoded: String(rest[rest.index(after: colon)...]))
        else { throw DataCipherError.unknownKey }
        return String(decoding: try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key), as: UTF8.self)
    }

    /// Whether `stored` is plaintext or sealed with a key other than the current one.
    public func needsResealing(_ stored: String) -> Bool {
        !stored.hasPrefix(Self.prefix + currentID + ":")
    }

    /// The SQL `LIKE` pattern of values sealed with the current key.
    public var currentPattern: String {
        Self.prefix + currentID + ":%"
    }
}

public enum DataCipherError: Error {
    /// A value sealed with a key that `DATA_ENCRYPTION_KEY` no longer names.
    case unknownKey
}

import Foundation

extension JSONEncoder {
    /// The encoder of every MayaGo body: ISO 8601 UTC dates with milliseconds, keys sorted so that equal values
    /// encode to equal bytes (idempotency keys compare bodies).
    public static var mayaGo: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Format.string(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// The decoder of every MayaGo body: ISO 8601 dates with or without fractional seconds.
    public static var mayaGo: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Format.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be an ISO 8601 date and time")
            }
            return date
        }
        return decoder
    }
}

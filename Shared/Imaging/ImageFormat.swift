import NIOCore

/// The image formats an upload may be in.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, heic

    /// The media types each format is sent as.
    public var mediaTypes: Set<String> {
        switch self {
        case .jpeg: ["image/jpeg"]
        case .png: ["image/png"]
        case .webp: ["image/webp"]
        case .heic: ["image/heic", "image/heif"]
        }
    }

    /// The format a declared media type names, if accepted.
    public init?(mediaType: String) {
        guard let format = Self.allCases.first(where: { $0.mediaTypes.contains(mediaType) }) else { return nil }
        self = format
    }

    /// The format of the libvips loader class that recognised an upload (`VipsForeignLoadJpegBuffer`, …).
    init?(loader: String) {
        switch loader {
        case "VipsForeignLoadJpegBuffer": self = .jpeg
        case "VipsForeignLoadPngBuffer": self = .png
        case "VipsForeignLoadWebpBuffer": self = .webp
        case "VipsForeignLoadHeifBuffer": self = .heic
        default: return nil
        }
    }
}

/// What ``ImageProcessor/probe(_:)`` reads from a header.
public struct ImageInfo: Sendable, Equatable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int

    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }
}

/// How a variant is encoded.
public enum ImageEncoding: String, Sendable, CaseIterable, Codable {
    case webp, jpeg

    public var mediaType: String { self == .webp ? "image/webp" : "image/jpeg" }

    var vipsFormat: Int32 { self == .webp ? 1 : 0 }
    var quality: Int32 { self == .webp ? 80 : 82 }
}

/// One resized, encoded copy of an image: `width` is the size asked for, `pixelWidth` what it came to (a
/// smaller original is never enlarged).
public struct ImageVariant: Sendable {
    public let width: Int
    public let encoding: ImageEncoding
    public let pixelWidth: Int
    public let pixelHeight: Int
    public let bytes: ByteBuffer
}

/// Why an image was refused.
public enum ImageError: Error, Equatable {
    /// No accepted decoder reads it (the message is libvips's).
    case unreadable(String)
    /// More than ``ImageProcessor/maxPixels``.
    case tooManyPixels
}

import CVips
import NIOCore
import NIOPosix

/// Decodes uploaded photos and encodes their resized, metadata-free variants with libvips. Every call decodes
/// pixels on a thread of its own pool, never on an event loop or the cooperative pool, nor behind the blocking
/// transfers (SMTP, calendar fetches) that use NIO's shared pool.
public struct ImageProcessor: Sendable {
    /// The most pixels an upload may have: a decompression bomb is refused before it is decoded.
    public static let maxPixels = 80_000_000

    private let pool: NIOThreadPool

    public init(pool: NIOThreadPool = ImageProcessor.pool) {
        _ = Self.started
        self.pool = pool
    }

    /// One thread per core: as many images in memory at once as can be worked on.
    public static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    private static let started: Bool = mayago_vips_init() == 0

    /// What `bytes` are, from their header only; throws ``ImageError`` when no accepted decoder reads them or
    /// they have too many pixels.
    public func probe(_ bytes: ByteBuffer) async throws -> ImageInfo {
        try await pool.runIfActive { try Self.probe(bytes) }
    }

    /// `bytes` upright, in sRGB, shrunk to each of `widths` (never enlarged) and encoded as each of `encodings`,
    /// without EXIF, GPS, XMP or colour profile.
    public func variants(of bytes: ByteBuffer, widths: [Int], encodings: [ImageEncoding]) async throws -> [ImageVariant] {
        try await pool.runIfActive { try Self.variants(of: bytes, widths: widths, encodings: encodings) }
    }

    static func probe(_ bytes: ByteBuffer) throws -> ImageInfo {
        var width: Int32 = 0
        var height: Int32 = 0
        let loader = bytes.withUnsafeReadableBytes { raw in
            mayago_vips_probe(raw.baseAddress, raw.count, &width, &height).map { String(cString: $0) }
        }
        guard let loader, let format = ImageFormat(loader: loader) else { throw ImageError.unreadable(Self.takeError()) }
        guard Int(width) * Int(height) <= maxPixels else { throw ImageError.tooManyPixels }
        return ImageInfo(format: format, width: Int(width), height: Int(height))
    }

    static func variants(of bytes: ByteBuffer, widths: [Int], encodings: [ImageEncoding]) throws -> [ImageVariant] {
        _ = try probe(bytes)
        let widest = widths.max() ?? 0
        // One decode, at the widest size; the smaller ones shrink from it.
        let decoded = bytes.withUnsafeReadableBytes { raw in mayago_vips_decode(raw.baseAddress, raw.count, Int32(widest)) }
        guard let decoded else { throw ImageError.unreadable(Self.takeError()) }
        defer { mayago_vips_release(decoded) }
        var variants: [ImageVariant] = []
        for width in widths.sorted(by: >) {
            guard let image = width == widest ? decoded : mayago_vips_thumbnail_image(decoded, Int32(width)) else {
                throw ImageError.unreadable(Self.takeError())
            }
            defer { if image != decoded { mayago_vips_release(image) } }
            for encoding in encodings {
                var output: UnsafeMutableRawPointer?
                var length = 0
                guard mayago_vips_save(image, encoding.vipsFormat, encoding.quality, &output, &length) == 0, let output else {
                    throw ImageError.unreadable(Self.takeError())
                }
                defer { mayago_vips_free(output) }
                let encoded = ByteBuffer(bytes: UnsafeRawBufferPointer(start: output, count: length))
                variants.append(
                    ImageVariant(
                        width: width, encoding: encoding, pixelWidth: Int(mayago_vips_width(image)), pixelHeight: Int(mayago_vips_height(image)),
                        bytes: encoding == .webp ? WebPMetadata.stripped(encoded) : encoded
                    ))
            }
        }
        return variants
    }

    private static func takeError() -> String {
        guard let message = mayago_vips_take_error() else { return "" }
        defer { mayago_vips_free(message) }
        return String(cString: message).trimmingWhitespace()
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

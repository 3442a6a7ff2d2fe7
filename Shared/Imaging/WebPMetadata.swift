import NIOCore

/// libvips 8.14's `webpsave` writes an EXIF chunk (orientation and resolution) even when told to strip metadata.
/// This takes the metadata chunks out of the RIFF container, leaving the encoded pixels as they are.
enum WebPMetadata {
    private static let metadataChunks: Set<String> = ["EXIF", "XMP ", "ICCP"]
    /// VP8X's flags for ICC, EXIF and XMP.
    private static let metadataFlags: UInt8 = 0x20 | 0x08 | 0x04

    /// `webp` without EXIF, XMP and ICC chunks; unchanged when it is not a WebP file this reads.
    static func stripped(_ webp: ByteBuffer) -> ByteBuffer {
        let bytes = Array(webp.readableBytesView)
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x45, 0x42, 0x50] else { return webp }
        var out = Array(bytes[0..<12])
        var offset = 12
        while offset + 8 <= bytes.count {
            let name = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let end = offset + 8 + size + (size & 1)
            guard end <= bytes.count else { return webp }
            if !metadataChunks.contains(name) {
                let start = out.count
                out += bytes[offset..<end]
                if name == "VP8X", size >= 1 { out[start + 8] &= ~metadataFlags }
            }
            offset = end
        }
        let riffSize = UInt32(out.count - 8)
        for index in 0..<4 { out[4 + index] = UInt8(truncatingIfNeeded: riffSize >> (8 * UInt32(index))) }
        return ByteBuffer(bytes: out)
    }
}

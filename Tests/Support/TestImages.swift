import Foundation

/// Images made by the tests themselves: a PNG of any size (stored, uncompressed deflate), and a JPEG with an EXIF
/// block (orientation and a GPS position) spliced in, to check that uploads are turned upright and stripped.
public enum TestImages {
    /// A `width`×`height` RGB PNG with a gradient, so that resizing has something to do.
    public static func png(width: Int, height: Int) -> Data {
        var raw = Data(capacity: (width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                raw.append(contentsOf: [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), UInt8((x + y) % 256)])
            }
        }
        var header = Data()
        header.append(bigEndian: UInt32(width))
        header.append(bigEndian: UInt32(height))
        header.append(contentsOf: [8, 2, 0, 0, 0])
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png.append(chunk: "IHDR", header)
        png.append(chunk: "IDAT", zlibStored(raw))
        png.append(chunk: "IEND", Data())
        return png
    }

    /// A PNG header claiming `width`×`height` pixels, with no pixels behind it (a decompression bomb's shape).
    public static func pngHeaderOnly(width: Int, height: Int) -> Data {
        png(width: 1, height: 1).replacingIHDR(width: width, height: height)
    }

    /// `jpeg` with an EXIF block right after its start marker: orientation 6 (turn 90° clockwise to view) and a GPS
    /// latitude of 20° 30′ N.
    public static func withEXIF(_ jpeg: Data) -> Data {
        var tiff = Data("MM".utf8)
        tiff.append(bigEndian: UInt16(42))
        tiff.append(bigEndian: UInt32(8))
        // IFD0 at 8: orientation, and the GPS directory at 38.
        tiff.append(bigEndian: UInt16(2))
        tiff.append(entry: 0x0112, type: 3, count: 1, value: 6 << 16)
        tiff.append(entry: 0x8825, type: 4, count: 1, value: 38)
        tiff.append(bigEndian: UInt32(0))
        // The GPS directory at 38: "N", and three rationals at 68.
        tiff.append(bigEndian: UInt16(2))
        tiff.append(entry: 0x0001, type: 2, count: 2, value: UInt32(UInt8(ascii: "N")) << 24)
        tiff.append(entry: 0x0002, type: 5, count: 3, value: 68)
        tiff.append(bigEndian: UInt32(0))
        for (numerator, denominator) in [(20, 1), (30, 1), (0, 1)] {
            tiff.append(bigEndian: UInt32(numerator))
            tiff.append(bigEndian: UInt32(denominator))
        }
        var segment = Data([0xFF, 0xE1])
        segment.append(bigEndian: UInt16(2 + 6 + tiff.count))
        segment.append(Data("Exif".utf8) + Data([0, 0]))
        segment.append(tiff)
        return jpeg.prefix(2) + segment + jpeg.dropFirst(2)
    }

    private static func zlibStored(_ data: Data) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            out.append(offset + length == data.count ? 1 : 0)
            out.append(littleEndian: UInt16(length))
            out.append(littleEndian: ~UInt16(length))
            out.append(data[data.startIndex + offset..<data.startIndex + offset + length])
            offset += length
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        out.append(bigEndian: b << 16 | a)
        return out
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func crc32(_ data: Data) -> UInt32 {
        ~data.reduce(~UInt32(0)) { crcTable[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
    }
}

extension Data {
    fileprivate mutating func append(bigEndian value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(littleEndian value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(chunk type: String, _ body: Data) {
        append(bigEndian: UInt32(body.count))
        let typed = Data(type.utf8) + body
        append(typed)
        append(bigEndian: TestImages.crc32(typed))
    }

    fileprivate mutating func append(entry tag: UInt16, type: UInt16, count: UInt32, value: UInt32) {
        append(bigEndian: tag)
        append(bigEndian: type)
        append(bigEndian: count)
        append(bigEndian: value)
    }

    /// This PNG with its IHDR's size changed (and its checksum made right again).
    fileprivate func replacingIHDR(width: Int, height: Int) -> Data {
        var header = Data()
        header.append(bigEndian: UInt32(width))
        header.append(bigEndian: UInt32(height))
        header.append(contentsOf: [8, 2, 0, 0, 0])
        var ihdr = Data()
        ihdr.append(chunk: "IHDR", header)
        return prefix(8) + ihdr + dropFirst(8 + 25)
    }
}

import Foundation
import Imaging
import NIOCore
import NIOFoundationCompat
import TestSupport
import Testing

@Suite struct ImageProcessorTests {
    let images = ImageProcessor()

    @Test func probeReadsTheFormatAndSizeFromTheHeader() async throws {
        let info = try await images.probe(ByteBuffer(data: TestImages.png(width: 400, height: 200)))
        #expect(info == ImageInfo(format: .png, width: 400, height: 200))
    }

    @Test func bytesThatAreNoImageAreRefused() async throws {
        await #expect(throws: ImageError.self) { try await images.probe(ByteBuffer(string: "GIF89a, or rather not an image at all")) }
        var headless = ByteBuffer(data: TestImages.png(width: 300, height: 300))
        headless.moveReaderIndex(forwardBy: 8)
        await #expect(throws: ImageError.self) { try await images.variants(of: headless, widths: [320], encodings: [.jpeg]) }
    }

    @Test func anImageWithTooManyPixelsIsRefusedBeforeItIsDecoded() async throws {
        await #expect(throws: ImageError.tooManyPixels) {
            try await images.probe(ByteBuffer(data: TestImages.pngHeaderOnly(width: 20_000, height: 20_000)))
        }
    }

    @Test func variantsAreShrunkToEachWidthInEachEncodingAndNeverEnlarged() async throws {
        let variants = try await images.variants(
            of: ByteBuffer(data: TestImages.png(width: 1000, height: 500)), widths: [320, 640, 1280], encodings: [.webp, .jpeg])
        #expect(variants.map { "\($0.width).\($0.encoding)" }.sorted() == ["1280.jpeg", "1280.webp", "320.jpeg", "320.webp", "640.jpeg", "640.webp"])
        for variant in variants {
            let expected = min(variant.width, 1000)
            #expect(variant.pixelWidth == expected && variant.pixelHeight == expected / 2, "\(variant.width).\(variant.encoding)")
            let bytes = Array(variant.bytes.readableBytesView)
            switch variant.encoding {
            case .jpeg: #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]))
            case .webp: #expect(bytes.starts(with: Array("RIFF".utf8)) && Array(bytes[8..<12]) == Array("WEBP".utf8))
            }
            // Still a file a decoder reads, at the size it claims.
            let decoded = try await images.probe(variant.bytes)
            #expect(decoded.width == variant.pixelWidth && decoded.height == variant.pixelHeight)
        }
    }

    @Test func aPhotoIsTurnedUprightByItsEXIFAndLosesItsEXIFAndGPS() async throws {
        let plain = try await images.variants(of: ByteBuffer(data: TestImages.png(width: 400, height: 200)), widths: [400], encodings: [.jpeg])
        let camera = TestImages.withEXIF(Data(buffer: plain[0].bytes))
        #expect(camera.range(of: Data("Exif".utf8)) != nil)
        #expect(try await images.probe(ByteBuffer(data: camera)) == ImageInfo(format: .jpeg, width: 400, height: 200))

        for variant in try await images.variants(of: ByteBuffer(data: camera), widths: [320, 1280], encodings: [.jpeg, .webp]) {
            let bytes = Data(buffer: variant.bytes)
            // Orientation 6: the upright picture is 200 wide and 400 high.
            #expect(variant.pixelWidth == min(variant.width, 200) && variant.pixelHeight == variant.pixelWidth * 2)
            #expect(bytes.range(of: Data("Exif".utf8)) == nil && bytes.range(of: Data("EXIF".utf8)) == nil, "\(variant.width).\(variant.encoding) kept EXIF")
            #expect(bytes.range(of: Data("MM\0*".utf8)) == nil, "\(variant.width).\(variant.encoding) kept its TIFF block")
        }
    }
}

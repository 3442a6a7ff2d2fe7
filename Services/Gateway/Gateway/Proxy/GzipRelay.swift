import CompressNIO
import NIOCore
import NIOHTTP1

/// A gzipped answer on its way from the instance to the client. What comes in one read from the instance is
/// compressed in one go at the end of that read (at the end of the answer, usually: one call into zlib), and the
/// head waits for the end of the read it came in, so that an answer that comes whole in one read (most do) goes
/// out with its length rather than chunked.
struct GzipRelay {
    let compressor: ZlibCompressor
    let configuration: ZlibConfiguration
    private var uncompressed: ByteBuffer?
    private var heldHead: HTTPResponseHead?

    init(compressor: ZlibCompressor, configuration: ZlibConfiguration, head: HTTPResponseHead) {
        self.compressor = compressor
        self.configuration = configuration
        heldHead = head
    }

    mutating func append(_ chunk: inout ByteBuffer) {
        if uncompressed == nil {
            uncompressed = chunk
        } else {
            uncompressed?.writeBuffer(&chunk)
        }
    }

    /// At the end of a read: the head if it is still held, and what came in the read, compressed.
    mutating func endOfRead() throws -> (head: HTTPResponseHead?, body: ByteBuffer?) {
        defer { heldHead = nil }
        guard let chunk = uncompressed else { return (heldHead, nil) }
        uncompressed = nil
        return (heldHead, try compressor.compressed(chunk))
    }

    /// At the end of the answer: the head with the whole length if it is still held, and the rest, compressed.
    mutating func endOfAnswer() throws -> (head: HTTPResponseHead?, body: ByteBuffer) {
        let last = try compressor.finished(uncompressed ?? ByteBuffer())
        uncompressed = nil
        defer { heldHead = nil }
        guard var head = heldHead else { return (nil, last) }
        head.headers.add(name: "Content-Length", value: String(last.readableBytes))
        return (head, last)
    }
}

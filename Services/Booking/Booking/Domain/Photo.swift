import Contracts
import Foundation
import Hummingbird
import Imaging
import ServiceKit

/// A photo of an experience (or of a review of it), as uploaded. Its files live in the object store under
/// ``key(of:)``: the upload as `original` (kept private: it may carry EXIF and GPS), and once a job has made them, the
/// sizes, which are public wherever the experience is.
struct Photo: Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        /// Uploaded; the variants are being made.
        case processing
        case ready
        /// The file could not be decoded, or the job gave up; `lastError` says why.
        case failed
    }

    var id: UUID
    var experienceId: UUID
    var reviewId: UUID?
    var ownerId: UUID
    var position: Int
    var status: Status
    var contentType: String
    var size: Int64
    var width: Int
    var height: Int
    var lastError: String?
    var createdAt: Date

    func key(of file: PhotoFile) -> String { Self.key(of: file, photo: id) }

    static func key(of file: PhotoFile, photo id: UUID) -> String { "photos/\(id.lowercasedString)/\(file.name)" }

    /// Every file photo `id` may have.
    static func keys(ofPhoto id: UUID) -> [String] { ([.original] + PhotoFile.variants).map { key(of: $0, photo: id) } }

    var links: PhotoLinks? { status == .ready ? PhotoLinks(experienceID: experienceId, id: id) : nil }
}

/// One served size of a photo: `640.webp`, `1280.jpg`, or `original` (the upload itself, to its owner only).
struct PhotoFile: Sendable, Equatable {
    let width: Int?
    let encoding: ImageEncoding?

    static let original = PhotoFile(width: nil, encoding: nil)

    /// Every variant the job makes.
    static let variants: [PhotoFile] = PhotoLinks.widths.flatMap { width in ImageEncoding.allCases.map { PhotoFile(width: width, encoding: $0) } }

    var name: String {
        guard let width, let encoding else { return "original" }
        return "\(width).\(encoding == .jpeg ? "jpg" : "webp")"
    }

    /// The file a URL's last segment names, if any.
    init?(name: String) {
        guard let file = ([Self.original] + Self.variants).first(where: { $0.name == name }) else { return nil }
        self = file
    }

    init(width: Int, encoding: ImageEncoding) {
        self.init(width: Optional(width), encoding: Optional(encoding))
    }

    private init(width: Int?, encoding: ImageEncoding?) {
        self.width = width
        self.encoding = encoding
    }
}

/// How many photos, how large: the rules of an upload, without I/O.
struct PhotoLimits: Sendable {
    var maxBytes = 15 << 20
    var perExperience = 20
    var perReview = 5

    /// Why an upload of `size` bytes, declared as `mediaType`, is refused before it is read, if it is.
    func refusal(mediaType: String, size: Int64?) -> Problem? {
        guard ImageFormat(mediaType: mediaType) != nil else {
            let accepted = ImageFormat.allCases.flatMap(\.mediaTypes).sorted().joined(separator: ", ")
            return Problem(
                .unsupportedMediaType, detail: "Send the photo as the raw body with its Content-Type, one of: \(accepted).",
                errors: [.init(field: "Content-Type", message: "must be one of \(accepted)")])
        }
        if let size, size > Int64(maxBytes) { return tooLarge }
        return nil
    }

    var tooLarge: Problem {
        Problem(
            .contentTooLarge, detail: "A photo may be at most \(maxBytes) bytes.", errors: [.init(field: "body", message: "must be at most \(maxBytes) bytes")])
    }

    /// The refusal of one more photo where `count` are already, `limit` at most.
    static func full(_ count: Int, limit: Int, of owner: String) -> Problem? {
        guard count >= limit else { return nil }
        return Problem.conflict("\(owner) has \(limit) photos, the most it may have: delete one first.", code: "too_many_photos")
    }
}

extension Photo: ResponseEncodable, Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, experienceId, reviewId, position, status, contentType, size, width, height, error, createdAt, links, originalUrl
    }

    /// The API's shape: the public links once ready, and the original's URL (which only the owner may open).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(experienceId, forKey: .experienceId)
        try container.encodeIfPresent(reviewId, forKey: .reviewId)
        try container.encode(position, forKey: .position)
        try container.encode(status, forKey: .status)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(size, forKey: .size)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encodeIfPresent(lastError, forKey: .error)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(links, forKey: .links)
        try container.encode(
            "/api/v1/experiences/\(experienceId.lowercasedString)/photos/\(id.lowercasedString)/original", forKey: .originalUrl)
    }
}

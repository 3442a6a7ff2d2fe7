import Foundation

/// Where a ready photo's sizes are served (through the gateway, relative to it): what an experience's `coverPhoto`
/// and Search's hits carry, ready for an `<img srcset>` or a `<picture>`'s sources.
public struct PhotoLinks: Codable, Sendable, Equatable {
    /// The widths every photo is resized to (a smaller original is never enlarged).
    public static let widths = [320, 640, 1280]

    public var id: UUID
    /// The 640 px JPEG: shows anywhere.
    public var url: String
    public var webpSrcset: String
    public var jpegSrcset: String

    /// The links of photo `id` of experience `experienceID`.
    public init(experienceID: UUID, id: UUID) {
        let base = "/api/v1/experiences/\(experienceID.lowercasedString)/photos/\(id.lowercasedString)"
        self.id = id
        url = "\(base)/640.jpg"
        webpSrcset = Self.widths.map { "\(base)/\($0).webp \($0)w" }.joined(separator: ", ")
        jpegSrcset = Self.widths.map { "\(base)/\($0).jpg \($0)w" }.joined(separator: ", ")
    }
}

import Contracts
import Foundation

/// Where an avatar's files are: each version of a user's avatar under its own key and URL, so that a file never
/// changes under either.
enum AvatarFiles {
    static let widths = [128, 256, 512]
    static let sizes = widths.flatMap { ["\($0).jpg", "\($0).webp"] }

    /// Where file `name` (`256.webp`, `original`, …) of version `version` of the user's avatar lives.
    static func key(_ userID: UUID, version: Int64, _ name: String) -> String {
        "avatars/\(userID.lowercasedString)/\(version)/\(name)"
    }

    /// The public URL of the user's avatar at `version` (the 256 px JPEG).
    static func url(_ userID: UUID, version: Int64) -> String {
        "/api/v1/auth/users/\(userID.lowercasedString)/avatars/\(version)/256.jpg"
    }
}

import Contracts
import Foundation
import ServiceKit

/// What a user changes of their public profile; each field optional (`PATCH`), an empty text clears it.
struct ProfileFields: Decodable, Sendable {
    var bio: LocalizedText?
    var languages: [String]?
    var city: String?

    /// `profile` with every given field, checked: a 400 naming each that is wrong.
    func applied(to profile: ProviderProfile) throws -> ProviderProfile {
        var validator = Validator()
        var changed = profile
        if let bio {
            for (field, text) in [("bio.en", bio.en), ("bio.es", bio.es)] {
                if let text { validator.check(text.unicodeScalars.count <= 2000, field, "must be at most 2000 characters") }
            }
            changed.bio = LocalizedText(en: Self.cleared(bio.en), es: Self.cleared(bio.es))
        }
        if let languages {
            validator.check(languages.count <= 10, "languages", "must list at most 10 languages")
            for (index, language) in languages.enumerated() where language.wholeMatch(of: /[a-z]{2}/) == nil {
                validator.fail("languages[\(index)]", "must be an ISO 639-1 code such as es")
            }
            var seen = Set<String>()
            changed.languages = languages.filter { seen.insert($0).inserted }
        }
        if let city {
            validator.check(city.unicodeScalars.count <= 100, "city", "must be at most 100 characters")
            changed.city = Self.cleared(city)
        }
        try validator.validate()
        return changed
    }

    /// The text without surrounding white space; `nil` when nothing is left.
    private static func cleared(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

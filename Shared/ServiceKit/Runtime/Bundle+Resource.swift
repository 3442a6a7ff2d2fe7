import Foundation

extension Bundle {
    /// The text of `Resources/<name>.<ext>`, shipped with the service; a service without it cannot run, so its
    /// absence stops the process at once, naming the file.
    public func resourceText(_ name: String, _ ext: String) -> String {
        guard let url = url(forResource: name, withExtension: ext), let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("Resources/\(name).\(ext) is missing from \(bundleURL.lastPathComponent)")
        }
        return text
    }
}

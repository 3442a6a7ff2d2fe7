import Foundation

/// A certificate authority and a certificate it signed for `localhost` and 127.0.0.1, made once per test run with
/// `openssl` in a temporary folder, for the tests of TLS.
public struct TestCertificates: Sendable {
    /// The authority's certificate, which clients trust.
    public let authority: String
    /// The server's certificate and its key (PEM).
    public let certificate: String
    public let key: String

    public static let shared: TestCertificates = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-tls-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        try! "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: path("san.cnf"), atomically: true, encoding: .utf8)
        for arguments in [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=MayaGo test CA",
                "-keyout", path("ca.key"), "-out", path("ca.pem"),
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost", "-keyout", path("server.key"),
                "-out", path("server.csr"),
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "2",
                "-extfile", path("san.cnf"), "-out", path("server.pem"),
            ],
        ] {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try! openssl.run()
            openssl.waitUntilExit()
            precondition(openssl.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
        }
        return TestCertificates(authority: path("ca.pem"), certificate: path("server.pem"), key: path("server.key"))
    }()
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// A private S3-compatible server for a test: moto in server mode (PyPI's `moto[server]`, installed by
/// scripts/install-deps.sh) on a free loopback port, checking every request's signature against a user it made
/// with the rights to S3 only.
public final class S3Server: Sendable {
    public let endpoint: URL
    public let credentials: SigV4.Credentials
    private let process: ChildProcess

    public init() async throws {
        let port = try TestEnvironment.freePort()
        // moto checks signatures once its first three actions (the IAM calls below, which need none) are done.
        let process = try ChildProcess(
            "/usr/bin/env", arguments: ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
            environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"], name: "moto")
        self.process = process
        let endpoint = URL(string: "http://127.0.0.1:\(port)")!
        self.endpoint = endpoint
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        let started = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await Self.iam(endpoint, "Action=CreateUser&UserName=mayago")) != nil
        }
        guard started else {
            await process.stop()
            throw S3ServerFailed(output: process.output())
        }
        _ = try await Self.iam(endpoint, "Action=PutUserPolicy&UserName=mayago&PolicyName=s3&PolicyDocument=\(Self.formEncoded(policy))")
        let answer = try await Self.iam(endpoint, "Action=CreateAccessKey&UserName=mayago")
        guard let keyID = Self.element("AccessKeyId", in: answer), let secret = Self.element("SecretAccessKey", in: answer) else {
            throw S3ServerFailed(output: answer)
        }
        credentials = SigV4.Credentials(accessKeyID: keyID, secretAccessKey: secret)
    }

    public func stop() async {
        await process.stop()
    }

    private static func iam(_ endpoint: URL, _ form: String) async throws -> String {
        var request = HTTPClientRequest(url: endpoint.absoluteString + "/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        // moto routes by the credential scope's service.
        request.headers.add(
            name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
        request.body = .bytes(ByteBuffer(string: form + "&Version=2010-05-08"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .ok else { throw S3ServerFailed(output: body) }
        return body
    }

    private static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }

    private static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}

public struct S3ServerFailed: Error, CustomStringConvertible {
    public let output: String
    public var description: String { "The S3 test server did not start or answer: \(output)" }
}

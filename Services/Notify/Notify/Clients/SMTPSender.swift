import CCurl
import Foundation
import NIOPosix
import ServiceKit
import ServiceLifecycle

/// Email through an SMTP server with libcurl: STARTTLS whenever the server offers it (`smtp://`), TLS from the
/// first byte with `smtps://`, a login when a user name is configured. libcurl blocks, so mail is sent on threads of
/// the sender's own, a thread for each transfer that may run at once (a worker's), never on an event loop: a worker's
/// batch in one trip there, rather than a thread and then the task woken for each mail. NIO's shared pool has a thread
/// per core, and would let no more workers send at once than there are cores. The connections stay open between
/// mails (``CurlHandles``): the next mail is only its `MAIL FROM`, `RCPT TO` and `DATA`, with no new TCP, TLS,
/// greeting or login. As a service, it stops its threads once the services listed after it (the workers) have stopped.
struct SMTPSender: Sender, Service {
    let url: String
    let from: String
    let fromName: String
    let username: String?
    let password: String?
    private let handles = CurlHandles()
    private let threads: NIOThreadPool
    var name: String { "smtp" }

    /// `transfers`: how many may run at once.
    init(url: String, from: String, fromName: String, username: String?, password: String?, transfers: Int) {
        // Once, before any thread uses libcurl: its global set-up is not thread-safe.
        _ = Self.initialized
        self.url = url
        self.from = from
        self.fromName = fromName
        self.username = username
        self.password = password
        threads = NIOThreadPool(numberOfThreads: transfers)
        threads.start()
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await stop()
    }

    /// Stops the threads, once what runs on them has ended: what is sent afterwards is not started.
    func stop() async throws {
        try await threads.shutdownGracefully()
    }

    private static let initialized: CURLcode = mayago_curl_global_init()

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        let mail = self.mail(Outgoing(message: message, address: address, key: key))
        return try await threads.runIfActive { try transfer(mail, to: address) }
    }

    func send(_ jobs: [[Outgoing]], startingBy deadline: Date, clock: WallClock) async -> [[Result<String, any Error>]?] {
        guard !Task.isCancelled else { return jobs.map { _ in nil } }
        let mails = jobs.map { $0.map { (bytes: mail($0), address: $0.address) } }
        do {
            return try await threads.runIfActive {
                mails.map { job in
                    clock.now() <= deadline ? job.map { mail in Result { try transfer(mail.bytes, to: mail.address) } } : nil
                }
            }
        } catch {
            // The threads have stopped: nothing was sent.
            return jobs.map { _ in nil }
        }
    }

    private func mail(_ outgoing: Outgoing) -> [UInt8] {
        MIMEMessage(from: from, fromName: fromName, to: outgoing.address, message: outgoing.message, key: outgoing.key, date: Date()).bytes
    }

    private func transfer(_ mail: [UInt8], to address: String) throws -> String {
        guard let curl = handles.take() else { throw SendFailure(isPermanent: false, description: "libcurl could not start a transfer") }
        let recipients = curl_slist_append(nil, "<\(address)>")
        defer { curl_slist_free_all(recipients) }
        let source = Unmanaged.passRetained(MailSource(bytes: mail))
        defer { source.release() }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = errorText.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            mayago_curl_set_string(curl, CURLOPT_URL, url)
            mayago_curl_set_string(curl, CURLOPT_MAIL_FROM, "<\(from)>")
            mayago_curl_set_pointer(curl, CURLOPT_MAIL_RCPT, recipients)
            mayago_curl_set_read_function(curl, readMail)
            mayago_curl_set_pointer(curl, CURLOPT_READDATA, source.toOpaque())
            mayago_curl_set_long(curl, CURLOPT_UPLOAD, 1)
            mayago_curl_set_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
            mayago_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 10)
            mayago_curl_set_long(curl, CURLOPT_TIMEOUT, 60)
            mayago_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
            mayago_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            if let username {
                mayago_curl_set_string(curl, CURLOPT_USERNAME, username)
                mayago_curl_set_string(curl, CURLOPT_PASSWORD, password ?? "")
            }
            return curl_easy_perform(curl)
        }
        var reply = 0
        mayago_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &reply)
        // A handle whose transfer failed may hold a broken connection: the next mail opens a new one.
        if code == CURLE_OK { handles.giveBack(curl) } else { handles.discard(curl) }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            // 5xx is the server's final no (an unknown mailbox, a refused login); anything else may pass later.
            throw SendFailure(isPermanent: (500..<600).contains(reply) || code == CURLE_LOGIN_DENIED, description: "SMTP \(reply): \(reason)")
        }
        return "SMTP \(reply)"
    }
}

/// The mail libcurl reads as it uploads.
private final class MailSource {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

private func readMail(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<MailSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    source.bytes.withUnsafeBufferPointer { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}

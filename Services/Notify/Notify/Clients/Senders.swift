import Foundation
import Logging
import ServiceKit

/// The sender of each channel but the in-app inbox, as the settings name them.
func notifySenders(_ settings: NotifySettings, logger: Logger) throws -> [Channel: any Sender] {
    var senders: [Channel: any Sender] = [:]
    switch settings.email {
    case .mailbox:
        senders[.email] = MailboxSender(folder: settings.mailboxFolder, channel: .email)
    case .smtp(let url, let username, let password):
        senders[.email] = try SMTPSender(url: url, from: settings.mailFrom, fromName: settings.mailFromName, username: username, password: password)
    case .sendgrid(let apiKey, let baseURL):
        senders[.email] = SendGridSender(
            apiKey: apiKey, baseURL: baseURL, from: settings.mailFrom, fromName: settings.mailFromName, http: .mayaGo, logger: logger)
    }
    switch settings.sms {
    case .mailbox:
        senders[.sms] = MailboxSender(folder: settings.mailboxFolder, channel: .sms)
    case .twilio(let accountSID, let authToken, let from, let baseURL):
        senders[.sms] = TwilioSender(accountSID: accountSID, authToken: authToken, from: from, baseURL: baseURL, http: .mayaGo, logger: logger)
    }
    switch settings.push {
    case .mailbox:
        senders[.push] = MailboxSender(folder: settings.mailboxFolder, channel: .push)
    case .fcm(let credentials, let baseURL):
        senders[.push] = try FCMSender(credentials: credentials, baseURL: baseURL, http: .mayaGo, logger: logger)
    }
    return senders
}

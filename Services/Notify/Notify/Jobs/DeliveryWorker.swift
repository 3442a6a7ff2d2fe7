import Contracts
import Foundation
import Logging
import Metrics
import ServiceKit
import ServiceLifecycle

/// Sends due jobs, `workers` at a time: on every tick of `pollInterval`, and at once when a notification was just
/// accepted. Each job is leased, so several instances share the work and none sends a job another holds; a worker
/// claims a few at once and writes how they ended in one statement, which saves two round trips to PostgreSQL for each.
final class DeliveryWorker: Service, Sendable {
    private let notify: NotifyService
    private let workers: Int
    private let pollInterval: Duration
    private let isMigrated: @Sendable () -> Bool
    private let wakeups = Wakeups()
    private let sent = Counter(label: "mayago.notify.sent")
    private let failed = Counter(label: "mayago.notify.failed")

    init(notify: NotifyService, workers: Int, pollInterval: Duration, isMigrated: @escaping @Sendable () -> Bool) {
        self.notify = notify
        self.workers = workers
        self.pollInterval = pollInterval
        self.isMigrated = isMigrated
    }

    /// Looks for due jobs now.
    func nudge() {
        wakeups.nudge()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.wakeups.run(every: self.pollInterval) {
                if self.isMigrated() { await self.drain() }
            }
        }
    }

    /// Jobs a worker claims in one statement, leased for two leases together: each is started only while a whole lease of
    /// its own is ahead, and a worker that dies holds them no longer than that.
    static let batch = 8

    /// Sends until nothing is due, `workers` jobs at a time.
    func drain() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers { group.addTask { await self.work() } }
        }
    }

    /// One worker: claims up to ``batch`` due jobs at once and sends them in turn, while it claims the next batch: the
    /// claim's round trips are off the sends' path. A batch's ends are written in one statement while the next batch is
    /// sent, and the flood limit counts the sends not written yet from memory. A job is started only while a whole lease
    /// of its own is still ahead; the rest go back to the queue, so that a slow provider never has a job sent by this
    /// worker after another took it.
    private func work() async {
        guard var batch = await claim() else { return }
        var recording: Task<Void, Never>?
        var unwritten: [Tried] = []
        while !batch.jobs.isEmpty {
            async let following = claim()
            let (attempts, sentAll) = await send(batch, after: unwritten)
            await recording?.value
            recording = Task { await self.record(attempts) }
            unwritten = attempts
            let next = await following
            guard sentAll, !Task.isCancelled, let next else {
                if let next { try? await notify.jobs.release(next.jobs.map(\.id)) }
                break
            }
            batch = next
        }
        await recording?.value
    }

    /// Jobs claimed together, and when.
    private struct Batch {
        var jobs: [ClaimedJob]
        var claimedAt: Date
    }

    /// Claims the next batch, with its recipients' addresses asked of Auth all at once rather than a round trip before
    /// each send; nil when the jobs cannot be read.
    private func claim() async -> Batch? {
        let claimedAt = notify.clock.now()
        let jobs: [ClaimedJob]
        do {
            jobs = try await notify.jobs.claim(upTo: Self.batch, now: claimedAt, lease: notify.limits.lease * 2)
        } catch {
            notify.logger.warning("Notify cannot read its jobs", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
        await withDiscardingTaskGroup { group in
            for recipient in Set(jobs.map(\.recipientId)) {
                group.addTask { _ = try? await self.notify.contacts.contact(recipient) }
            }
        }
        return Batch(jobs: jobs, claimedAt: claimedAt)
    }

    /// A job's attempt, and when it started.
    private struct Tried {
        var job: ClaimedJob
        var attempt: Swift.Result<Attempt, any Error>
        var at: Date

        var isSent: Bool {
            if case .success(.done(.sent, _, _)) = attempt { true } else { false }
        }
    }

    /// Sends a batch's jobs in turn, `unwritten` being the attempts of the batch before, whose ends may not be written
    /// yet; with whether all were tried (false when some went back to the queue unsent).
    private func send(_ batch: Batch, after unwritten: [Tried]) async -> ([Tried], Bool) {
        let lastStart = batch.claimedAt.addingTimeInterval(Double(notify.limits.lease.components.seconds))
        var tried: [Tried] = []
        for (index, job) in batch.jobs.enumerated() {
            guard !Task.isCancelled, notify.clock.now() <= lastStart else {
                // Their leases would run out: back to the queue (or, if this fails, when the leases end).
                try? await notify.jobs.release(batch.jobs[index...].map(\.id))
                return (tried, false)
            }
            let now = notify.clock.now()
            do {
                tried.append(Tried(job: job, attempt: .success(try await perform(job, unwritten: unwritten + tried)), at: now))
            } catch {
                tried.append(Tried(job: job, attempt: .failure(error), at: now))
            }
        }
        return (tried, true)
    }

    /// Writes how each attempt ended: those sent, skipped or dead together; those put off, or failed and to be tried
    /// again, one by one.
    private func record(_ tried: [Tried]) async {
        var ends: [Jobs.End] = []
        for each in tried {
            let (job, now) = (each.job, each.at)
            do {
                switch try each.attempt.get() {
                case .done(let outcome, let reason, let deliveries):
                    ends.append(Jobs.End(job: job, outcome: outcome, error: reason, deliveries: deliveries, at: now))
                case .later(let time):
                    try await notify.jobs.postpone(job, until: time)
                }
            } catch {
                await recordFailure(error, of: job, at: now)
            }
        }
        let finished = await notify.jobs.finish(ends)
        for end in finished {
            if end.outcome == .sent { sent.increment() }
            if end.outcome == .dead { ServiceMetrics.count("mayago.notify.dead", [("channel", end.job.channel.rawValue)]) }
        }
    }

    /// Records a failed attempt: the job is dead when the failure is final or its attempts are spent, and otherwise
    /// tried again after a back-off.
    private func recordFailure(_ error: any Error, of job: ClaimedJob, at now: Date) async {
        failed.increment()
        let permanent = (error as? SendFailure)?.isPermanent == true
        let reason = String(describing: error)
        do {
            try await notify.jobs.record(
                job, provider: notify.senders[job.channel]?.name ?? job.channel.rawValue, outcome: "failed", answer: reason, at: now)
            if permanent || job.attempts >= notify.limits.maxAttempts {
                notify.logger.error("Notification dead", metadata: ["job": "\(job.id)", "type": "\(job.type.rawValue)", "error": "\(reason)"])
                if await !notify.jobs.finish([Jobs.End(job: job, outcome: .dead, error: reason, at: now)]).isEmpty {
                    ServiceMetrics.count("mayago.notify.dead", [("channel", job.channel.rawValue)])
                }
            } else {
                try await notify.jobs.retry(job, at: now.addingTimeInterval(notify.backoff(after: job.attempts).milliseconds / 1000), error: reason)
            }
        } catch {
            // The lease runs out and the job is tried again.
            notify.logger.warning("Notify cannot record a failed delivery", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private enum Attempt {
        /// Ended, with what the providers answered to the sends that went out.
        case done(Jobs.Outcome, String?, deliveries: [Jobs.Delivery] = [])
        case later(Date)
    }

    /// Sends one job, or says why it is not sent (now). `unwritten`: the attempts whose ends may not be written yet,
    /// which the flood limit counts from memory rather than from the jobs table.
    private func perform(_ job: ClaimedJob, unwritten: [Tried]) async throws -> Attempt {
        let isSecurity = NotificationCatalog.entries[job.type]?.isSecurity == true
        guard let contact = try await notify.contacts.contact(job.recipientId) else { return .done(.skipped, "unknown_user") }
        if contact.disabled, !isSecurity { return .done(.skipped, "disabled_user") }
        let preferences = job.preferences
        let now = notify.clock.now()
        guard preferences.allows(job.channel, for: job.type) else { return .done(.skipped, "turned_off") }
        let time = preferences.sendTime(of: job.channel, for: job.type, at: now)
        if time > now { return .later(time) }
        if !isSecurity, job.channel != .inApp {
            let alike = unwritten.filter { $0.job.recipientId == job.recipientId && $0.job.channel == job.channel }
            let written = try await notify.jobs.sentCount(
                to: job.recipientId, on: job.channel, since: now.addingTimeInterval(-3600), besides: alike.map(\.job.id))
            if written + alike.count(where: \.isSent) >= notify.limits.perHour { return .done(.skipped, "rate_limited") }
        }
        var data = [job.data]
        if NotificationCatalog.entries[job.type]?.digests == true, job.channel == .email {
            data += try await notify.jobs.digested(into: job)
        }
        guard let message = notify.render(job.type, data, recipientName: contact.name, preferences: preferences) else {
            return .done(.dead, "no_template")
        }
        let key = job.id.uuidString.lowercased()
        var deliveries: [Jobs.Delivery] = []
        switch job.channel {
        case .inApp:
            try await notify.inbox.add(job, message, at: now)
        case .email:
            deliveries.append(try await send(job, message, to: job.emailTo ?? contact.email, key: key))
        case .sms:
            guard let phone = preferences.verifiedPhone else { return .done(.skipped, preferences.phone == nil ? "no_phone" : "phone_unverified") }
            deliveries.append(try await send(job, message, to: phone, key: key))
        case .push:
            let tokens = try await notify.devices.tokens(of: job.recipientId)
            guard !tokens.isEmpty else { return .done(.skipped, "no_device") }
            var lastFailure: (any Error)?
            for token in tokens {
                do {
                    deliveries.append(try await send(job, message, to: token, key: key))
                } catch let failure as SendFailure where failure.isPermanent {
                    // The provider no longer knows this device.
                    try await notify.devices.forget(token)
                    lastFailure = failure
                } catch {
                    lastFailure = error
                }
            }
            if deliveries.isEmpty, let lastFailure { throw lastFailure }
        }
        return .done(.sent, nil, deliveries: deliveries)
    }

    /// Sends one message; what the provider answered is recorded with the job's end, in the same statement.
    private func send(_ job: ClaimedJob, _ message: RenderedMessage, to address: String, key: String) async throws -> Jobs.Delivery {
        guard let sender = notify.senders[job.channel] else { throw SendFailure(isPermanent: true, description: "no provider for \(job.channel.rawValue)") }
        let answer = try await sender.send(message, to: address, key: key)
        return Jobs.Delivery(provider: sender.name, answer: answer, at: notify.clock.now())
    }
}

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

    /// Sends until nothing is due, `workers` jobs at a time.
    func drain() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers { group.addTask { await self.work() } }
        }
    }

    /// One worker: claims up to ``JobClaim/batch`` due jobs at once and sends them in turn, while it claims the next
    /// batch and makes it ready: the claim's round trips and the rendering are off the sends' path, and the connection
    /// goes from one batch's last mail to the next one's first without waiting for them. A batch's ends are written in
    /// one statement while the next batch is sent, and the flood limit counts the sends not written yet from memory (the
    /// batch being sent as sent). A job is started only while a whole lease of its own is still ahead; the rest go back
    /// to the queue, so that a slow provider never has a job sent by this worker after another took it.
    private func work() async {
        guard var batch = await claimReady(after: [], sending: []) else { return }
        var recording: Task<Void, Never>?
        var unwritten: [Tried] = []
        while !batch.jobs.isEmpty {
            let (earlier, sending) = (unwritten, batch.planned)
            async let following = claimReady(after: earlier, sending: sending)
            let (attempts, sentAll) = await send(batch)
            await recording?.value
            recording = Task { await self.record(attempts) }
            unwritten = attempts
            let next = await following
            guard sentAll, !Task.isCancelled, let next else {
                // Made ready but not started: back to the queue, to be made ready again (an inbox entry is added once).
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

    /// A batch whose jobs were made ready, in order, until the last start its leases allow.
    private struct Prepared {
        var jobs: [ClaimedJob]
        var planned: [Planned]
        var lastStart: Date
    }

    /// Claims the next batch, with its recipients' addresses asked of Auth in one call rather than a round trip before
    /// each send; nil when the jobs cannot be read.
    private func claim() async -> Batch? {
        let claimedAt = notify.clock.now()
        let jobs: [ClaimedJob]
        do {
            // Leased for two leases together: each job is started only while a whole lease of its own is ahead, and a
            // worker that dies holds them no longer than that.
            jobs = try await notify.jobs.claim(now: claimedAt, lease: notify.limits.lease * 2)
        } catch {
            notify.logger.warning("Notify cannot read its jobs", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
        // Kept for the sends; a job whose contact could not be had asks again, alone, when it is planned.
        _ = try? await notify.contacts.contacts(of: Set(jobs.map(\.recipientId)))
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

    /// The next batch, claimed and made ready; nil when the jobs cannot be read.
    private func claimReady(after unwritten: [Tried], sending: [Planned]) async -> Prepared? {
        guard let batch = await claim() else { return nil }
        return await prepare(batch, after: unwritten, sending: sending)
    }

    /// Makes each of a batch's jobs ready (or ends it: skipped, put off...), in order, while its lease allows;
    /// `unwritten` and `sending` are the attempts whose ends may not be written yet and the batch being sent, which the
    /// flood limit counts from memory.
    private func prepare(_ batch: Batch, after unwritten: [Tried], sending: [Planned]) async -> Prepared {
        let lastStart = batch.claimedAt.addingTimeInterval(Double(notify.limits.lease.components.seconds))
        let reads = await reads(for: batch.jobs, besides: unwritten.map(\.job.id) + sending.map(\.job.id))
        var planned: [Planned] = []
        var filed: [Inbox.Filed] = []
        for job in batch.jobs {
            let now = notify.clock.now()
            guard !Task.isCancelled, now <= lastStart else { break }
            do {
                let plan = try await plan(job, reads: reads, unwritten: unwritten, planned: [sending, planned].joined(), filing: &filed)
                planned.append(Planned(job: job, plan: .success(plan), at: now))
            } catch {
                planned.append(Planned(job: job, plan: .failure(error), at: now))
            }
        }
        if !filed.isEmpty {
            do {
                try await notify.inbox.add(filed)
            } catch {
                // Not written: those jobs failed, and are tried again.
                let ids = Set(filed.map(\.job.id))
                for index in planned.indices where ids.contains(planned[index].job.id) { planned[index].plan = .failure(error) }
            }
        }
        return Prepared(jobs: batch.jobs, planned: planned, lastStart: lastStart)
    }

    /// What a batch's jobs need from the tables, read for all of them at once rather than once a job.
    private struct BatchReads {
        /// For the flood limit: what the jobs table sent in the last hour, by recipient and channel.
        var sentLastHour: Swift.Result<[Jobs.Stream: Int], any Error>
        /// The device tokens of the push jobs' recipients.
        var devices: Swift.Result<[UUID: [String]], any Error>
    }

    /// Reads what `jobs` need. `besides`: the jobs the flood limit counts from memory, left out of the table's count,
    /// as their ends may be written meanwhile.
    private func reads(for jobs: [ClaimedJob], besides: [UUID]) async -> BatchReads {
        let limited = Set(jobs.filter(isFloodLimited).map(\.recipientId))
        let pushed = Set(jobs.filter { $0.channel == .push }.map(\.recipientId))
        let since = notify.clock.now().addingTimeInterval(-3600)
        return BatchReads(
            sentLastHour: await Self.read(if: !limited.isEmpty, or: [:]) { try await notify.jobs.sentCounts(to: limited, since: since, besides: besides) },
            devices: await Self.read(if: !pushed.isEmpty, or: [:]) { try await notify.devices.tokens(of: pushed) }
        )
    }

    /// What `body` reads, or `none` without asking when `needed` is false.
    private static func read<T>(if needed: Bool, or none: T, _ body: () async throws -> T) async -> Swift.Result<T, any Error> {
        guard needed else { return .success(none) }
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// Whether the flood limit counts `job`: security notices always go, and the inbox is not a flood.
    private func isFloodLimited(_ job: ClaimedJob) -> Bool {
        NotificationCatalog.entries[job.type]?.isSecurity != true && job.channel != .inApp
    }

    /// Sends a batch made ready: the messages of the jobs to send go to their channel's provider together, in the
    /// batch's order (SMTP's as one request to its connection's event loop); with whether all were tried (false when
    /// some went back to the queue unsent).
    private func send(_ batch: Prepared) async -> ([Tried], Bool) {
        let planned = batch.planned
        let answers = await sendMessages(of: planned, startingBy: batch.lastStart)
        let started = planned.filter { $0.outgoing == nil || answers[$0.job.id] != nil }
        let unstarted = batch.jobs.filter { job in !started.contains { $0.job.id == job.id } }
        if !unstarted.isEmpty {
            // Their leases would run out: back to the queue (or, if this fails, when the leases end).
            try? await notify.jobs.release(unstarted.map(\.id))
        }
        var tried: [Tried] = []
        for each in started {
            let attempt: Swift.Result<Attempt, any Error>
            switch each.plan {
            case .success(.ended(let ended)): attempt = .success(ended)
            case .success(.send(let messages)): attempt = await conclude(each.job, messages, answers[each.job.id] ?? [])
            case .failure(let error): attempt = .failure(error)
            }
            tried.append(Tried(job: each.job, attempt: attempt, at: each.at))
        }
        return (tried, unstarted.isEmpty)
    }

    /// Hands the messages of the `planned` jobs to their channel's provider, each provider's together; the answers
    /// by job, where a job not started before `deadline` has none.
    private func sendMessages(of planned: [Planned], startingBy deadline: Date) async -> [UUID: [Swift.Result<String, any Error>]] {
        var answers: [UUID: [Swift.Result<String, any Error>]] = [:]
        for channel in Channel.allCases {
            let sending = planned.filter { $0.job.channel == channel }.compactMap { each in each.outgoing.map { (id: each.job.id, messages: $0) } }
            guard !sending.isEmpty else { continue }
            guard let sender = notify.senders[channel] else {
                let none = SendFailure(isPermanent: true, description: "no provider for \(channel.rawValue)")
                for each in sending { answers[each.id] = each.messages.map { _ in .failure(none) } }
                continue
            }
            let answered = await sender.send(sending.map(\.messages), startingBy: deadline, clock: notify.clock)
            for (each, answer) in zip(sending, answered) { answers[each.id] = answer }
        }
        return answers
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

    /// What is to become of a job: ended without sending, or its messages sent (push: one to each device).
    private enum Plan {
        case ended(Attempt)
        case send([Outgoing])
    }

    /// A job made ready, and when.
    private struct Planned {
        var job: ClaimedJob
        var plan: Swift.Result<Plan, any Error>
        var at: Date

        var outgoing: [Outgoing]? {
            if case .success(.send(let messages)) = plan { messages } else { nil }
        }
    }

    /// Makes one job ready to send, or says why it is not sent (now). The flood limit counts what the jobs table had
    /// sent in the last hour when the batch was made ready (`reads`), and from memory `unwritten`, the attempts whose
    /// ends may not be written yet, and `planned`, the batch being sent and this batch's jobs before it (one about to
    /// be sent, or being sent, counting as sent). An in-app job's entry is added to `filing`, for the caller to write
    /// with the batch's others: the job is sent once it is written.
    private func plan(
        _ job: ClaimedJob, reads: BatchReads, unwritten: [Tried], planned: some Sequence<Planned>, filing: inout [Inbox.Filed]
    ) async throws -> Plan {
        let isSecurity = NotificationCatalog.entries[job.type]?.isSecurity == true
        guard let contact = try await notify.contacts.contact(job.recipientId) else { return .ended(.done(.skipped, "unknown_user")) }
        if contact.disabled, !isSecurity { return .ended(.done(.skipped, "disabled_user")) }
        let preferences = job.preferences
        let now = notify.clock.now()
        guard preferences.allows(job.channel, for: job.type) else { return .ended(.done(.skipped, "turned_off")) }
        let time = preferences.sendTime(of: job.channel, for: job.type, at: now)
        if time > now { return .ended(.later(time)) }
        if isFloodLimited(job) {
            let isAlike = { (other: ClaimedJob) in other.recipientId == job.recipientId && other.channel == job.channel }
            let written = try reads.sentLastHour.get()[Jobs.Stream(recipientId: job.recipientId, channel: job.channel), default: 0]
            let sending = planned.count { isAlike($0.job) && $0.outgoing != nil }
            if written + unwritten.count(where: { isAlike($0.job) && $0.isSent }) + sending >= notify.limits.perHour {
                return .ended(.done(.skipped, "rate_limited"))
            }
        }
        var data = [job.data]
        if NotificationCatalog.entries[job.type]?.digests == true, job.channel == .email {
            data += try await notify.jobs.digested(into: job)
        }
        guard let message = notify.render(job.type, data, recipientName: contact.name, preferences: preferences) else {
            return .ended(.done(.dead, "no_template"))
        }
        let key = job.id.lowercasedString
        switch job.channel {
        case .inApp:
            filing.append(Inbox.Filed(job: job, message: message, at: now))
            return .ended(.done(.sent, nil))
        case .email:
            return .send([Outgoing(message: message, address: job.emailTo ?? contact.email, key: key)])
        case .sms:
            guard let phone = preferences.verifiedPhone else {
                return .ended(.done(.skipped, preferences.phone == nil ? "no_phone" : "phone_unverified"))
            }
            return .send([Outgoing(message: message, address: phone, key: key)])
        case .push:
            let tokens = try reads.devices.get()[job.recipientId] ?? []
            guard !tokens.isEmpty else { return .ended(.done(.skipped, "no_device")) }
            return .send(tokens.map { Outgoing(message: message, address: $0, key: key) })
        }
    }

    /// How a job whose messages went to the provider ended, given its answers: sent when one went out (the answers
    /// recorded with the job's end), failed with the last failure otherwise. A device the push provider no longer
    /// knows is forgotten.
    private func conclude(_ job: ClaimedJob, _ messages: [Outgoing], _ answers: [Swift.Result<String, any Error>]) async -> Swift.Result<Attempt, any Error> {
        let provider = notify.senders[job.channel]?.name ?? job.channel.rawValue
        let at = notify.clock.now()
        var deliveries: [Jobs.Delivery] = []
        var lastFailure: (any Error)?
        for (outgoing, answer) in zip(messages, answers) {
            switch answer {
            case .success(let text):
                deliveries.append(Jobs.Delivery(provider: provider, answer: text, at: at))
            case .failure(let failure):
                if job.channel == .push, (failure as? SendFailure)?.isPermanent == true {
                    // The provider no longer knows this device.
                    do { try await notify.devices.forget(outgoing.address) } catch { return .failure(error) }
                }
                lastFailure = failure
            }
        }
        if let lastFailure, deliveries.isEmpty { return .failure(lastFailure) }
        return .success(.done(.sent, nil, deliveries: deliveries))
    }
}

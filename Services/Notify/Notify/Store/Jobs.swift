import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A job a worker holds: one notification on one channel.
struct ClaimedJob: Sendable {
    var id: UUID
    var recipientId: UUID
    var type: NotificationType
    var channel: Channel
    /// This one included.
    var attempts: Int
    var data: [String: JSONValue]
    /// The address of an email that does not go to the account's (``NotificationRequest/emailTo``).
    var emailTo: String?
    /// The recipient's preferences when the job was claimed.
    var preferences: Preferences
}

/// The `notifications`, `jobs` and `deliveries` tables. A worker leases a job (`sending` until `locked_until`) and
/// works outside any transaction; if it dies, the lease runs out and another worker sends that one job again.
struct Jobs: Sendable {
    enum Outcome: String, Sendable {
        case sent, skipped, dead
    }

    let postgres: PostgresClient
    let logger: Logger

    /// Stores `request` with a job per channel, once per idempotency key; returns the notification's id and whether
    /// it is new. On the `digest` channel the job joins the recipient's queued one of the same type, if there is one,
    /// and goes out with it: its row is locked here, so a worker either takes it before (and this one leads a new
    /// digest) or after (and sends this one with it).
    func accept(_ request: NotificationRequest, channels: [(Channel, Date)], digest: Channel?, at now: Date) async throws -> (UUID, Bool) {
        let id = UUID.random()
        let isNew: Bool
        if let digest, channels.contains(where: { $0.0 == digest }) {
            isNew = try await postgres.transaction(logger: logger) { connection in
                let lead = try await digestLead(for: request, on: digest, connection)
                return try await connection.query(
                    try insertion(request, id, channels: channels, lead: lead.map { (digest, $0) }, at: now), logger: logger
                ).returnedARow()
            }
        } else {
            isNew = try await postgres.query(try insertion(request, id, channels: channels, lead: nil, at: now), logger: logger).returnedARow()
        }
        guard !isNew else { return (id, true) }
        // Notifications are never deleted, so the key's first notification is there.
        let existing = try await postgres.query("SELECT id FROM notifications WHERE idempotency_key = \(request.idempotencyKey)", logger: logger)
        for try await first in existing.decode(UUID.self) { return (first, false) }
        return (id, false)
    }

    /// The notification and its jobs in one statement, which stores nothing when the idempotency key is taken and then
    /// returns no row. `lead`: the digest a channel's job joins.
    private func insertion(
        _ request: NotificationRequest, _ id: UUID, channels: [(Channel, Date)], lead: (Channel, UUID)?, at now: Date
    ) throws -> PostgresQuery {
        let data = String(decoding: try JSONEncoder.mayaGo.encode(request.data), as: UTF8.self)
        return """
            WITH notice AS (
                INSERT INTO notifications (id, idempotency_key, type, recipient_id, data, send_at, created_at, email_to)
                VALUES (\(id), \(request.idempotencyKey), \(request.type.rawValue), \(request.recipientId), \(data)::jsonb,
                        \(request.sendAt ?? now), \(now), \(request.emailTo))
                ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
            ), jobs AS (
                INSERT INTO jobs (id, notification_id, recipient_id, type, channel, status, run_at, digest_of, finished_at)
                SELECT job.id, notice.id, \(request.recipientId), \(request.type.rawValue), job.channel,
                       CASE WHEN job.lead IS NULL THEN 'queued' ELSE 'digested' END, job.run_at, job.lead,
                       CASE WHEN job.lead IS NOT NULL THEN \(now)::timestamptz END
                FROM notice, (
                    SELECT u.id, u.channel, u.run_at, CASE WHEN u.channel = \(lead?.0.rawValue)::text THEN \(lead?.1)::uuid END AS lead
                    FROM unnest(\(channels.map { _ in UUID.random() }), \(channels.map(\.0.rawValue)), \(channels.map(\.1))) AS u(id, channel, run_at)
                ) AS job
            )
            SELECT id FROM notice
            """
    }

    /// The recipient's queued job of this type on `channel` that a new one can join, locked. Accepts for one recipient
    /// and type take turns here, so that two at once do not both start a digest.
    private func digestLead(for request: NotificationRequest, on channel: Channel, _ connection: PostgresConnection) async throws -> UUID? {
        let group = "digest:\(request.recipientId.uuidString):\(request.type.rawValue):\(channel.rawValue)"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(group)))", logger: logger)
        let rows = try await connection.query(
            """
            SELECT id FROM jobs
            WHERE recipient_id = \(request.recipientId) AND type = \(request.type.rawValue) AND channel = \(channel.rawValue)
              AND status = 'queued' AND digest_of IS NULL
            ORDER BY run_at LIMIT 1 FOR UPDATE
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Leases up to ``JobClaim/batch`` jobs, those due first or whose lease ran out, with their recipients' preferences
    /// (one round trip), until `now + lease`.
    func claim(now: Date, lease: Duration) async throws -> [ClaimedJob] {
        let until = now.addingTimeInterval(Double(lease.components.seconds))
        let rows = try await postgres.execute(JobClaim(now: now, until: until), logger: logger)
        var claimed: [(job: ClaimedJob, runAt: Date)] = []
        for try await (id, recipient, type, channel, attempts, data, emailTo, preferences, runAt) in rows {
            let job = ClaimedJob(
                id: id, recipientId: recipient, type: NotificationType(rawValue: type), channel: Channel(rawValue: channel) ?? .inApp,
                attempts: attempts, data: (try? JSONDecoder.mayaGo.decode([String: JSONValue].self, from: Data(data.utf8))) ?? [:], emailTo: emailTo,
                preferences: PreferenceStore.decode(preferences)
            )
            claimed.append((job, runAt))
        }
        // RETURNING keeps no order: the one due first goes first.
        return claimed.sorted { $0.runAt < $1.runAt }.map(\.job)
    }

    /// Gives leased jobs back to the queue, unsent, as if never claimed.
    func release(_ ids: [UUID]) async throws {
        try await postgres.query(
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, locked_until = NULL WHERE id = ANY(\(ids)) AND status = 'sending'",
            logger: logger
        )
    }

    /// For a digest: the data of the notices that joined `lead`, oldest first.
    func digested(into lead: ClaimedJob) async throws -> [[String: JSONValue]] {
        let rows = try await postgres.query(
            """
            SELECT n.data::text FROM jobs j JOIN notifications n ON n.id = j.notification_id
            WHERE j.digest_of = \(lead.id) ORDER BY n.created_at
            """,
            logger: logger
        )
        var found: [[String: JSONValue]] = []
        for try await text in rows.decode(String.self) {
            if let data = try? JSONDecoder.mayaGo.decode([String: JSONValue].self, from: Data(text.utf8)) { found.append(data) }
        }
        return found
    }

    /// How a job ended, with the sends that went out.
    struct End: Sendable {
        var job: ClaimedJob
        var outcome: Outcome
        var error: String? = nil
        var deliveries: [Delivery] = []
        var at: Date
    }

    /// Ends jobs, with their deliveries, in one statement; returns those ended. When PostgreSQL refuses the statement,
    /// each is ended alone, so that one it refuses does not have the others sent again (those not ended are, when their
    /// leases run out). A security notice's `link` (a verification or reset token) is then wiped from what is kept once
    /// the notice's last job ended: the mail carried it, and a copy in the database would only be a key left lying about.
    func finish(_ ends: [End]) async -> [End] {
        let ended = await written(ends)
        // The notice's data is the job's: without a link there is nothing to wipe.
        for end in ended where NotificationCatalog.entries[end.job.type]?.isSecurity == true && end.job.data["link"] != nil {
            do { try await wipeLink(of: end.job) } catch {
                logger.warning("Notify cannot wipe a sent link", metadata: ["job": "\(end.job.id)", "error": "\(String(reflecting: error))"])
            }
        }
        return ended
    }

    /// `ends` written in one statement, or each alone when PostgreSQL refuses that statement; those it refuses alone
    /// are left out.
    private func written(_ ends: [End]) async -> [End] {
        do {
            try await write(ends)
            return ends
        } catch {
            guard ends.count > 1 else {
                logger.warning("Notify cannot record a delivery", metadata: ["job": "\(ends[0].job.id)", "error": "\(String(reflecting: error))"])
                return []
            }
            var written: [End] = []
            for end in ends where await !self.written([end]).isEmpty { written.append(end) }
            return written
        }
    }

    /// Ends jobs, with their deliveries, in one statement.
    private func write(_ ends: [End]) async throws {
        guard !ends.isEmpty else { return }
        let sends = ends.flatMap { end in end.deliveries.map { (job: end.job, delivery: $0) } }
        for try await _ in try await postgres.execute(JobEnds(sends: sends, ends: ends), logger: logger) {}
    }

    private func wipeLink(of job: ClaimedJob) async throws {
        try await postgres.query(
            """
            WITH wiped AS (
                UPDATE notifications n SET data = n.data - 'link'
                WHERE n.id = (SELECT notification_id FROM jobs WHERE id = \(job.id)) AND n.data ? 'link'
                    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.notification_id = n.id AND j.status IN ('queued', 'sending'))
                RETURNING n.id
            )
            UPDATE inbox_entries SET data = data - 'link' WHERE job_id IN (SELECT id FROM jobs WHERE notification_id IN (SELECT id FROM wiped))
            """,
            logger: logger
        )
    }

    func retry(_ job: ClaimedJob, at runAt: Date, error: String) async throws {
        try await postgres.query(
            "UPDATE jobs SET status = 'queued', run_at = \(runAt), last_error = \(error), locked_until = NULL WHERE id = \(job.id)",
            logger: logger
        )
    }

    /// Puts a job back until `runAt` without counting the attempt (quiet hours).
    func postpone(_ job: ClaimedJob, until runAt: Date) async throws {
        try await postgres.query(
            "UPDATE jobs SET status = 'queued', run_at = \(runAt), attempts = attempts - 1, locked_until = NULL WHERE id = \(job.id)",
            logger: logger
        )
    }

    /// As much of a provider's answer as a delivery row keeps.
    static func kept(_ answer: String) -> String {
        String(answer.prefix(2000))
    }

    /// A send that went out: who took it, what they answered, when.
    struct Delivery: Sendable {
        var provider: String
        var answer: String
        var at: Date
    }

    /// Records one attempt with what the provider answered.
    func record(_ job: ClaimedJob, provider: String, outcome: String, answer: String, at now: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO deliveries (job_id, attempt, provider, outcome, answer, at)
            VALUES (\(job.id), \(job.attempts), \(provider), \(outcome), \(Self.kept(answer)), \(now))
            """,
            logger: logger
        )
    }

    /// A recipient on a channel, as the flood limit counts.
    struct Stream: Hashable, Sendable {
        var recipientId: UUID
        var channel: Channel
    }

    /// How many notices each of `recipients` got on each channel since `since`, for the flood limit, leaving out the
    /// jobs `besides` (which the caller counts itself): a batch's in one query. Streams with none are absent.
    func sentCounts(to recipients: Set<UUID>, since: Date, besides: [UUID]) async throws -> [Stream: Int] {
        let rows = try await postgres.query(
            """
            SELECT recipient_id, channel, count(*)::int FROM jobs WHERE status = 'sent' AND recipient_id = ANY(\(Array(recipients)))
                AND finished_at > \(since) AND id <> ALL(\(besides)) GROUP BY recipient_id, channel
            """,
            logger: logger
        )
        var counts: [Stream: Int] = [:]
        for try await (recipient, channel, count) in rows.decode((UUID, String, Int).self) {
            guard let channel = Channel(rawValue: channel) else { continue }
            counts[Stream(recipientId: recipient, channel: channel)] = count
        }
        return counts
    }
}

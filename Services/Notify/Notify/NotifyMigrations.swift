import ServiceKit

/// The `notify` schema. An accepted notification becomes one job per channel; workers claim jobs with
/// `FOR UPDATE SKIP LOCKED`, and every attempt is recorded as a delivery with the provider's answer.
enum NotifyMigrations {
    static let all = [
        Migration(
            100,
            "notifications and jobs",
            [
                """
                CREATE TABLE notifications (
                    id uuid PRIMARY KEY,
                    idempotency_key text NOT NULL UNIQUE,
                    type text NOT NULL,
                    recipient_id uuid NOT NULL,
                    data jsonb NOT NULL,
                    send_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE jobs (
                    id uuid PRIMARY KEY,
                    notification_id uuid NOT NULL REFERENCES notifications,
                    recipient_id uuid NOT NULL,
                    type text NOT NULL,
                    channel text NOT NULL,
                    status text NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    run_at timestamptz NOT NULL,
                    locked_until timestamptz,
                    digest_of uuid REFERENCES jobs,
                    last_error text,
                    finished_at timestamptz,
                    UNIQUE (notification_id, channel)
                )
                """,
                "CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued', 'sending')",
                "CREATE INDEX jobs_sent ON jobs (recipient_id, channel, finished_at) WHERE status = 'sent'",
                """
                CREATE TABLE deliveries (
                    id bigserial PRIMARY KEY,
                    job_id uuid NOT NULL REFERENCES jobs,
                    attempt integer NOT NULL,
                    provider text NOT NULL,
                    outcome text NOT NULL,
                    answer text NOT NULL,
                    at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX deliveries_job ON deliveries (job_id)",
            ]
        ),
        Migration(
            101,
            "inbox, preferences and devices",
            [
                """
                CREATE TABLE inbox_entries (
                    id uuid PRIMARY KEY,
                    job_id uuid NOT NULL UNIQUE REFERENCES jobs,
                    user_id uuid NOT NULL,
                    type text NOT NULL,
                    title text NOT NULL,
                    body text NOT NULL,
                    data jsonb NOT NULL,
                    read_at timestamptz,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX inbox_entries_user ON inbox_entries (user_id, created_at DESC)",
                "CREATE INDEX inbox_entries_unread ON inbox_entries (user_id) WHERE read_at IS NULL",
                """
                CREATE TABLE preferences (
                    user_id uuid PRIMARY KEY,
                    settings jsonb NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE devices (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    platform text NOT NULL,
                    token text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX devices_user ON devices (user_id)",
            ]
        ),
        Migration(
            102,
            "security mail to another address",
            ["ALTER TABLE notifications ADD COLUMN email_to text"]
        ),
    ]
}

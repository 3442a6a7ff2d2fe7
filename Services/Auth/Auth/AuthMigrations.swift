import ServiceKit

/// The `auth` schema. Every time is written from the service's clock, never `now()`, so that tests can move
/// time (lockouts, expiring tokens).
enum AuthMigrations {
    static let all = [
        Migration(
            100,
            "users",
            [
                """
                CREATE TABLE users (
                    id uuid PRIMARY KEY,
                    email text NOT NULL UNIQUE,
                    name text NOT NULL,
                    role text NOT NULL,
                    password_hash text,
                    email_verified boolean NOT NULL DEFAULT false,
                    disabled boolean NOT NULL DEFAULT false,
                    totp_secret text,
                    totp_enabled boolean NOT NULL DEFAULT false,
                    totp_last_step bigint,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE recovery_codes (
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    code_hash text NOT NULL,
                    used_at timestamptz,
                    PRIMARY KEY (user_id, code_hash)
                )
                """,
            ]
        ),
        Migration(
            101,
            "sessions",
            [
                """
                CREATE TABLE refresh_tokens (
                    token_hash text PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    family_id uuid NOT NULL,
                    access_jti text NOT NULL,
                    access_expires_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL,
                    spent_at timestamptz,
                    revoked_at timestamptz
                )
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
                "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL",
                "CREATE INDEX refresh_tokens_access ON refresh_tokens (access_jti)",
                """
                CREATE TABLE revoked_access_tokens (
                    jti text PRIMARY KEY,
                    expires_at timestamptz NOT NULL,
                    published_at timestamptz
                )
                """,
                "CREATE INDEX revoked_access_tokens_unpublished ON revoked_access_tokens (expires_at) WHERE published_at IS NULL",
            ]
        ),
        Migration(
            102,
            "signing keys",
            [
                """
                CREATE TABLE signing_keys (
                    id text PRIMARY KEY,
                    private_key text NOT NULL,
                    created_at timestamptz NOT NULL,
                    retired_at timestamptz
                )
                """,
                "CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE retired_at IS NULL",
            ]
        ),
        Migration(
            103,
            "one-time tokens, throttle, audit",
            [
                """
                CREATE TABLE one_time_tokens (
                    token_hash text PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    purpose text NOT NULL,
                    expires_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL,
                    used_at timestamptz
                )
                """,
                """
                CREATE TABLE login_attempts (
                    key text PRIMARY KEY,
                    failures integer NOT NULL,
                    window_started_at timestamptz NOT NULL,
                    lockouts integer NOT NULL,
                    locked_until timestamptz
                )
                """,
                """
                CREATE TABLE audit_events (
                    id bigserial PRIMARY KEY,
                    type text NOT NULL,
                    user_id uuid,
                    email text,
                    ip text,
                    user_agent text,
                    detail text,
                    occurred_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX audit_events_user ON audit_events (user_id, id DESC)",
            ]
        ),
        Migration(
            104,
            "api keys",
            [
                """
                CREATE TABLE api_keys (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    name text NOT NULL,
                    prefix text NOT NULL,
                    key_hash text NOT NULL UNIQUE,
                    scopes text[] NOT NULL,
                    created_at timestamptz NOT NULL,
                    last_used_at timestamptz,
                    revoked_at timestamptz
                )
                """,
                "CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC)",
            ]
        ),
        Migration(
            105,
            "social sign-in",
            [
                """
                CREATE TABLE identity_links (
                    provider text NOT NULL,
                    subject text NOT NULL,
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    created_at timestamptz NOT NULL,
                    PRIMARY KEY (provider, subject)
                )
                """,
                """
                CREATE TABLE oauth_states (
                    state_hash text PRIMARY KEY,
                    provider text NOT NULL,
                    code_verifier text NOT NULL,
                    redirect_uri text NOT NULL,
                    expires_at timestamptz NOT NULL
                )
                """,
            ]
        ),
        Migration(
            106,
            "public profiles",
            [
                """
                CREATE TABLE profiles (
                    user_id uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
                    bio_en text,
                    bio_es text,
                    languages text[] NOT NULL DEFAULT '{}',
                    city text,
                    version bigint NOT NULL DEFAULT 1,
                    updated_at timestamptz NOT NULL
                )
                """
            ]
        ),
        Migration(
            107,
            "sessions remember a second factor",
            ["ALTER TABLE refresh_tokens ADD COLUMN second_factor boolean NOT NULL DEFAULT false"]
        ),
        Migration(
            108,
            "email changes",
            ["ALTER TABLE one_time_tokens ADD COLUMN payload text"]
        ),
        Migration(
            109,
            "account deletions",
            [
                """
                CREATE TABLE account_deletions (
                    user_id uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
                    requested_at timestamptz NOT NULL,
                    due_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX account_deletions_due ON account_deletions (due_at)",
            ]
        ),
        Migration(
            110,
            "data exports",
            [
                """
                CREATE TABLE data_exports (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
                    status text NOT NULL CHECK (status IN ('pending', 'ready', 'downloaded', 'expired', 'failed')),
                    requested_at timestamptz NOT NULL,
                    run_after timestamptz NOT NULL,
                    attempts int NOT NULL DEFAULT 0,
                    last_error text,
                    object_key text,
                    size bigint,
                    ready_at timestamptz,
                    expires_at timestamptz
                )
                """,
                "CREATE UNIQUE INDEX data_exports_pending ON data_exports (user_id) WHERE status = 'pending'",
                "CREATE INDEX data_exports_due ON data_exports (run_after) WHERE status = 'pending'",
            ]
        ),
        Migration(
            111,
            "avatars",
            [
                """
                CREATE TABLE avatars (
                    user_id uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
                    pending_version bigint NOT NULL,
                    ready_version bigint,
                    run_after timestamptz NOT NULL,
                    attempts int NOT NULL DEFAULT 0,
                    last_error text
                )
                """,
                "CREATE INDEX avatars_due ON avatars (run_after) WHERE ready_version IS DISTINCT FROM pending_version",
            ]
        ),
        // For `Retention`: tokens expire in the order they were written.
        Migration(
            112,
            "token expiry indexes",
            [
                "CREATE INDEX refresh_tokens_expiry ON refresh_tokens USING brin (expires_at)",
                "CREATE INDEX one_time_tokens_expiry ON one_time_tokens USING brin (expires_at)",
            ]
        ),
        // For `Retention`: a key's row is rewritten in place when its window begins again, so not in time order.
        Migration(113, "sign-in failures by window", ["CREATE INDEX login_attempts_window ON login_attempts (window_started_at)"]),
    ]
}

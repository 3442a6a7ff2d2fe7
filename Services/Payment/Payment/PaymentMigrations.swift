import ServiceKit

/// The `payment` schema. The ledger is append-only: postings are never updated or deleted.
enum PaymentMigrations {
    static let all = [
        Migration(
            100,
            "payments",
            [
                """
                CREATE TABLE payments (
                    id uuid PRIMARY KEY,
                    booking_id uuid NOT NULL UNIQUE,
                    traveler_id uuid NOT NULL,
                    provider_id uuid NOT NULL,
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    refunded_amount bigint NOT NULL DEFAULT 0,
                    status text NOT NULL,
                    description text NOT NULL,
                    client_secret text NOT NULL,
                    last_error text,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
                )
                """,
                "CREATE INDEX payments_traveler ON payments (traveler_id, created_at DESC)",
                "CREATE INDEX payments_provider ON payments (provider_id, created_at DESC)",
                """
                CREATE TABLE refunds (
                    id uuid PRIMARY KEY,
                    payment_id uuid NOT NULL REFERENCES payments,
                    amount bigint NOT NULL CHECK (amount > 0),
                    reason text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
            ]
        ),
        Migration(
            101,
            "ledger",
            [
                """
                CREATE TABLE ledger_transactions (
                    id uuid PRIMARY KEY,
                    kind text NOT NULL,
                    payment_id uuid REFERENCES payments,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE ledger_postings (
                    id bigserial PRIMARY KEY,
                    transaction_id uuid NOT NULL REFERENCES ledger_transactions,
                    account text NOT NULL,
                    currency text NOT NULL,
                    amount bigint NOT NULL
                )
                """,
                "CREATE INDEX ledger_postings_account ON ledger_postings (account, currency)",
                "CREATE INDEX ledger_postings_transaction ON ledger_postings (transaction_id)",
            ]
        ),
        Migration(
            102,
            "payouts and invoices",
            [
                """
                CREATE TABLE payouts (
                    id uuid PRIMARY KEY,
                    provider_id uuid NOT NULL,
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    status text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX payouts_provider ON payouts (provider_id, created_at DESC)",
                "ALTER TABLE ledger_transactions ADD COLUMN payout_id uuid REFERENCES payouts",
                """
                CREATE TABLE invoice_counters (
                    year integer PRIMARY KEY,
                    last integer NOT NULL
                )
                """,
                """
                CREATE TABLE invoices (
                    id uuid PRIMARY KEY,
                    payment_id uuid NOT NULL UNIQUE REFERENCES payments,
                    number text NOT NULL UNIQUE,
                    issued_at timestamptz NOT NULL
                )
                """,
            ]
        ),
        Migration(
            103,
            "stripe events",
            [
                """
                CREATE TABLE stripe_events (
                    id text PRIMARY KEY,
                    type text NOT NULL,
                    payment_id uuid,
                    payload jsonb NOT NULL,
                    received_at timestamptz NOT NULL,
                    processed_at timestamptz
                )
                """,
                "CREATE INDEX stripe_events_waiting ON stripe_events (payment_id) WHERE processed_at IS NULL",
            ]
        ),
        Migration(
            104,
            "provider references",
            [
                "ALTER TABLE payments ADD COLUMN provider_reference text",
                """
                CREATE TABLE provider_accounts (
                    provider_id uuid PRIMARY KEY,
                    stripe_account text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
            ]
        ),
        Migration(
            105,
            "invoices numbered after payment",
            [
                "ALTER TABLE invoices ALTER COLUMN number DROP NOT NULL",
                "CREATE INDEX invoices_unnumbered ON invoices (issued_at) WHERE number IS NULL",
            ]
        ),
        Migration(
            106,
            "provider terms and payout currencies",
            [
                """
                CREATE TABLE provider_terms (
                    provider_id uuid PRIMARY KEY,
                    commission_basis_points integer CHECK (commission_basis_points BETWEEN 0 AND 10000),
                    payout_currency text,
                    updated_at timestamptz NOT NULL
                )
                """,
                "ALTER TABLE payouts ADD COLUMN paid_amount bigint, ADD COLUMN paid_currency text, ADD COLUMN rate text",
            ]
        ),
        Migration(
            107,
            "payouts at the provider and disputes",
            [
                "ALTER TABLE payouts ADD COLUMN reference text, ADD COLUMN failure text, ADD COLUMN updated_at timestamptz",
                "CREATE UNIQUE INDEX payouts_reference ON payouts (reference)",
                "CREATE INDEX payouts_pending ON payouts (created_at) WHERE status = 'pending'",
                "ALTER TABLE payments ADD COLUMN disputed_amount bigint NOT NULL DEFAULT 0 CHECK (disputed_amount >= 0)",
                "ALTER TABLE payments ADD CONSTRAINT payments_takings CHECK (refunded_amount + disputed_amount <= amount)",
                """
                CREATE TABLE disputes (
                    id text PRIMARY KEY,
                    payment_id uuid NOT NULL REFERENCES payments,
                    amount bigint NOT NULL CHECK (amount > 0),
                    reason text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
            ]
        ),
        Migration(
            108,
            "money movements claimed before the provider is called",
            [
                "ALTER TABLE payments ADD COLUMN provider_call jsonb, ADD COLUMN provider_call_since timestamptz",
                "CREATE INDEX payments_provider_calls ON payments (provider_call_since) WHERE provider_call IS NOT NULL",
            ]
        ),
        Migration(
            109,
            "disputes closed, Stripe's events read back, 3-D Secure",
            [
                "ALTER TABLE payments ADD COLUMN next_action jsonb, ADD COLUMN experience_id uuid, ADD COLUMN experience_title text",
                "CREATE INDEX ledger_transactions_created ON ledger_transactions (created_at)",
                "CREATE INDEX ledger_transactions_payment ON ledger_transactions (payment_id)",
                "ALTER TABLE disputes ADD COLUMN taken_from text NOT NULL DEFAULT 'escrow', ADD COLUMN closed_status text, ADD COLUMN closed_at timestamptz",
                """
                CREATE TABLE provider_sync (
                    name text PRIMARY KEY,
                    until timestamptz,
                    leased_until timestamptz
                )
                """,
            ]
        ),
    ]
}

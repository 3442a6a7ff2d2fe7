import ServiceKit

/// The `booking` schema. Seats are guarded twice: the conditional update that takes them, and a check that
/// `remaining` stays within 0 and the capacity.
enum BookingMigrations {
    static let all = [
        Migration(
            100,
            "experiences",
            [
                """
                CREATE TABLE experiences (
                    id uuid PRIMARY KEY,
                    provider_id uuid NOT NULL,
                    title text NOT NULL,
                    description text NOT NULL,
                    category text NOT NULL,
                    tags text[] NOT NULL,
                    latitude double precision NOT NULL,
                    longitude double precision NOT NULL,
                    city text NOT NULL,
                    country text NOT NULL,
                    address text,
                    time_zone text NOT NULL,
                    duration_minutes integer NOT NULL,
                    price_amount bigint NOT NULL,
                    currency text NOT NULL,
                    max_guests integer NOT NULL,
                    booking_mode text NOT NULL,
                    cancellation_policy text NOT NULL,
                    languages text[] NOT NULL,
                    status text NOT NULL,
                    rating_sum bigint NOT NULL DEFAULT 0,
                    rating_count integer NOT NULL DEFAULT 0,
                    version bigint NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX experiences_provider ON experiences (provider_id, created_at DESC)",
                "CREATE INDEX experiences_published ON experiences (created_at DESC) WHERE status = 'published'",
            ]
        ),
        Migration(
            101,
            "schedules and slots",
            [
                """
                CREATE TABLE schedules (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL REFERENCES experiences,
                    weekdays integer[] NOT NULL,
                    start_times text[] NOT NULL,
                    starts_on text NOT NULL,
                    ends_on text NOT NULL,
                    capacity integer NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE slots (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL REFERENCES experiences,
                    provider_id uuid NOT NULL,
                    schedule_id uuid REFERENCES schedules,
                    starts_at timestamptz NOT NULL,
                    ends_at timestamptz NOT NULL,
                    capacity integer NOT NULL,
                    remaining integer NOT NULL,
                    status text NOT NULL DEFAULT 'open',
                    version bigint NOT NULL DEFAULT 1,
                    CHECK (remaining >= 0 AND remaining <= capacity),
                    UNIQUE (experience_id, starts_at)
                )
                """,
                "CREATE INDEX slots_experience ON slots (experience_id, starts_at)",
                "CREATE INDEX slots_provider ON slots (provider_id, starts_at)",
            ]
        ),
        Migration(
            102,
            "bookings",
            [
                """
                CREATE TABLE bookings (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL REFERENCES experiences,
                    slot_id uuid NOT NULL REFERENCES slots,
                    traveler_id uuid NOT NULL,
                    provider_id uuid NOT NULL,
                    guests integer NOT NULL,
                    total_amount bigint NOT NULL,
                    currency text NOT NULL,
                    status text NOT NULL,
                    note text,
                    starts_at timestamptz NOT NULL,
                    ends_at timestamptz NOT NULL,
                    hold_expires_at timestamptz,
                    respond_by timestamptz,
                    payment_id uuid,
                    paid_amount bigint NOT NULL DEFAULT 0,
                    refunded_amount bigint NOT NULL DEFAULT 0,
                    cancellation_reason text,
                    reminder_sent_at timestamptz,
                    idempotency_key text NOT NULL,
                    request_hash text NOT NULL,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    UNIQUE (traveler_id, idempotency_key)
                )
                """,
                "CREATE INDEX bookings_traveler ON bookings (traveler_id, created_at DESC)",
                "CREATE INDEX bookings_provider ON bookings (provider_id, created_at DESC)",
                "CREATE INDEX bookings_due ON bookings (status, hold_expires_at, respond_by, ends_at)",
            ]
        ),
        Migration(
            103,
            "reviews",
            [
                """
                CREATE TABLE reviews (
                    id uuid PRIMARY KEY,
                    booking_id uuid NOT NULL UNIQUE REFERENCES bookings,
                    experience_id uuid NOT NULL REFERENCES experiences,
                    traveler_id uuid NOT NULL,
                    provider_id uuid NOT NULL,
                    rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
                    comment text NOT NULL,
                    reply text,
                    replied_at timestamptz,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX reviews_experience ON reviews (experience_id, created_at DESC)",
            ]
        ),
        Migration(
            104,
            "calendars",
            [
                """
                CREATE TABLE calendar_feeds (
                    provider_id uuid PRIMARY KEY,
                    token text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE calendar_imports (
                    id uuid PRIMARY KEY,
                    provider_id uuid NOT NULL,
                    url text NOT NULL,
                    created_at timestamptz NOT NULL,
                    fetched_at timestamptz,
                    last_error text,
                    UNIQUE (provider_id, url)
                )
                """,
                """
                CREATE TABLE busy_times (
                    import_id uuid NOT NULL REFERENCES calendar_imports ON DELETE CASCADE,
                    provider_id uuid NOT NULL,
                    starts_at timestamptz NOT NULL,
                    ends_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX busy_times_provider ON busy_times (provider_id, starts_at)",
            ]
        ),
        Migration(
            105,
            "slot feed versions",
            [
                "ALTER TABLE slots ADD COLUMN fed_version bigint NOT NULL DEFAULT 0",
                "CREATE INDEX slots_unfed ON slots (id) WHERE version > fed_version",
            ]
        ),
        Migration(
            106,
            "cancellation policy frozen on each booking",
            [
                "ALTER TABLE bookings ADD COLUMN cancellation_policy text",
                "UPDATE bookings b SET cancellation_policy = e.cancellation_policy FROM experiences e WHERE e.id = b.experience_id",
                "ALTER TABLE bookings ALTER COLUMN cancellation_policy SET NOT NULL",
            ]
        ),
        Migration(
            107,
            "booking rules and blackout dates",
            [
                """
                ALTER TABLE experiences
                    ADD COLUMN min_notice_hours int NOT NULL DEFAULT 0,
                    ADD COLUMN booking_window_days int,
                    ADD COLUMN buffer_minutes int NOT NULL DEFAULT 0,
                    ADD COLUMN max_bookings_per_day int,
                    ADD COLUMN blackout_dates date[] NOT NULL DEFAULT '{}'
                """,
                "CREATE INDEX bookings_experience_start ON bookings (experience_id, starts_at)",
            ]
        ),
        Migration(
            108,
            "photos of experiences and reviews",
            [
                """
                CREATE TABLE photos (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL REFERENCES experiences (id),
                    review_id uuid REFERENCES reviews (id),
                    owner_id uuid NOT NULL,
                    position int NOT NULL,
                    status text NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
                    content_type text NOT NULL,
                    size bigint NOT NULL,
                    width int NOT NULL,
                    height int NOT NULL,
                    attempts int NOT NULL DEFAULT 0,
                    run_after timestamptz NOT NULL,
                    last_error text,
                    created_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX photos_due ON photos (run_after) WHERE status = 'processing'",
                "CREATE INDEX photos_experience ON photos (experience_id, position) WHERE review_id IS NULL",
                "CREATE INDEX photos_review ON photos (review_id, position) WHERE review_id IS NOT NULL",
                "ALTER TABLE experiences ADD COLUMN cover_photo_id uuid REFERENCES photos (id)",
            ]
        ),
        // The slots' unique (experience_id, starts_at) constraint has this index already: every seat taken wrote both.
        Migration(109, "one index on a slot's start", ["DROP INDEX slots_experience"]),
        // An index whose predicate reads `version` made every seat taken a new version of the slot in each of its
        // indexes. On a flag that stays true until Search is told, taking seats updates the slot in place (HOT).
        Migration(
            110,
            "slots' unfed flag",
            [
                "ALTER TABLE slots ADD COLUMN unfed boolean GENERATED ALWAYS AS (version > fed_version) STORED",
                "DROP INDEX slots_unfed",
                "CREATE INDEX slots_unfed ON slots (id) WHERE unfed",
            ]
        ),
    ]
}

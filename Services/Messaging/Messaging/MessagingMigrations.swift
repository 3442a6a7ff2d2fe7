import ServiceKit

/// The `messaging` schema. A conversation has exactly two members, its traveler and its provider; each message has
/// a sequence number in its conversation, taken under the conversation's row lock, so that history and catch-up
/// are in one order whichever instance stored them.
enum MessagingMigrations {
    static let all = [
        Migration(
            100,
            "conversations, messages and attachments",
            [
                """
                CREATE TABLE conversations (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL,
                    experience_title text NOT NULL,
                    booking_id uuid,
                    traveler_id uuid NOT NULL,
                    provider_id uuid NOT NULL,
                    last_seq bigint NOT NULL DEFAULT 0,
                    last_activity_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL,
                    UNIQUE (traveler_id, experience_id)
                )
                """,
                """
                CREATE TABLE members (
                    conversation_id uuid NOT NULL REFERENCES conversations,
                    user_id uuid NOT NULL,
                    role text NOT NULL CHECK (role IN ('traveler', 'provider')),
                    name text NOT NULL,
                    read_seq bigint NOT NULL DEFAULT 0,
                    read_at timestamptz,
                    notified_at timestamptz,
                    PRIMARY KEY (conversation_id, user_id)
                )
                """,
                "CREATE INDEX members_user ON members (user_id)",
                """
                CREATE TABLE messages (
                    id uuid PRIMARY KEY,
                    conversation_id uuid NOT NULL REFERENCES conversations,
                    seq bigint NOT NULL,
                    sender_id uuid NOT NULL,
                    client_message_id text NOT NULL,
                    body text NOT NULL,
                    attachment_ids uuid[] NOT NULL DEFAULT '{}',
                    created_at timestamptz NOT NULL,
                    UNIQUE (conversation_id, seq),
                    UNIQUE (conversation_id, sender_id, client_message_id)
                )
                """,
                "CREATE INDEX messages_recent ON messages (created_at)",
                """
                CREATE TABLE attachments (
                    id uuid PRIMARY KEY,
                    owner_id uuid NOT NULL,
                    conversation_id uuid REFERENCES conversations,
                    content_hash text NOT NULL,
                    content_type text NOT NULL,
                    size bigint NOT NULL,
                    file_name text,
                    created_at timestamptz NOT NULL
                )
                """,
            ]
        )
    ]
}

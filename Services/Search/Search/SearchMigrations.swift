import ServiceKit

/// The `search` schema: the searchable documents (one per experience, kept current by Booking's feed), their slots
/// for availability, the words they use (for typo tolerance) and the completions of the search box.
enum SearchMigrations {
    static let all = [
        Migration(
            100,
            "documents, slots, lexicon",
            [
                // Extensions live once per database, in `public` (instances of Search migrate one at a time).
                "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
                "CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public",
                "CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public",
                // unaccent() is only STABLE (its dictionary could change); pinned to one dictionary it may index.
                """
                CREATE FUNCTION folded(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
                """,
                // array_to_string() is only STABLE in general; for text it is not.
                """
                CREATE FUNCTION joined(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$ SELECT array_to_string($1, ' ') $$
                """,
                """
                CREATE TABLE documents (
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
                    duration_minutes integer NOT NULL,
                    price_amount bigint NOT NULL,
                    currency text NOT NULL,
                    max_guests integer NOT NULL,
                    languages text[] NOT NULL,
                    status text NOT NULL,
                    rating_average double precision NOT NULL,
                    rating_count integer NOT NULL,
                    bookings integer NOT NULL DEFAULT 0,
                    version bigint NOT NULL,
                    updated_at timestamptz NOT NULL,
                    words tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('simple', folded(title)), 'A') ||
                        setweight(to_tsvector('english', folded(title)), 'A') ||
                        setweight(to_tsvector('spanish', folded(title)), 'A') ||
                        setweight(to_tsvector('simple', folded(joined(tags) || ' ' || category || ' ' || city)), 'B') ||
                        setweight(to_tsvector('english', folded(joined(tags))), 'B') ||
                        setweight(to_tsvector('spanish', folded(joined(tags))), 'B') ||
                        setweight(to_tsvector('english', folded(description)), 'C') ||
                        setweight(to_tsvector('spanish', folded(description)), 'C')
                    ) STORED
                )
                """,
                "CREATE INDEX documents_words ON documents USING gin (words)",
                "CREATE INDEX documents_place ON documents USING gist (ll_to_earth(latitude, longitude))",
                "CREATE INDEX documents_published ON documents (status, category)",
                """
                CREATE TABLE slots (
                    id uuid PRIMARY KEY,
                    experience_id uuid NOT NULL,
                    starts_at timestamptz NOT NULL,
                    remaining integer NOT NULL,
                    status text NOT NULL,
                    version bigint NOT NULL
                )
                """,
                "CREATE INDEX slots_open ON slots (experience_id, starts_at) WHERE status = 'open'",
                """
                CREATE TABLE feed_events (
                    id uuid PRIMARY KEY,
                    received_at timestamptz NOT NULL
                )
                """,
                // Every word the documents use, folded: a query's misspelt word is replaced by its nearest ones here.
                "CREATE TABLE lexicon (word text PRIMARY KEY)",
                "CREATE INDEX lexicon_trigrams ON lexicon USING gin (word gin_trgm_ops)",
                // What the search box completes: titles, tags and cities, weighted by how many documents use them.
                """
                CREATE TABLE completions (
                    folded text NOT NULL,
                    kind text NOT NULL,
                    text text NOT NULL,
                    weight integer NOT NULL DEFAULT 1,
                    PRIMARY KEY (folded, kind)
                )
                """,
                "CREATE INDEX completions_prefix ON completions (folded text_pattern_ops)",
                "CREATE INDEX completions_trigrams ON completions USING gin (folded gin_trgm_ops)",
                // A query: each word (its alternatives, `|`-separated, typo corrections among them) in English, in
                // Spanish or as written, the last one as a prefix while it is being typed; and each phrase as written.
                """
                CREATE FUNCTION text_query(words text[], last_is_prefix boolean, phrases text[]) RETURNS tsquery
                LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
                DECLARE
                    result tsquery;
                    group_query tsquery;
                    alternative text;
                    phrase text;
                    term tsquery;
                    count integer := coalesce(array_length(words, 1), 0);
                BEGIN
                    FOR i IN 1 .. count LOOP
                        group_query := NULL;
                        FOREACH alternative IN ARRAY string_to_array(words[i], '|') LOOP
                            term := plainto_tsquery('english', alternative) || plainto_tsquery('spanish', alternative) ||
                                CASE WHEN last_is_prefix AND i = count THEN to_tsquery('simple', alternative || ':*')
                                     ELSE plainto_tsquery('simple', alternative) END;
                            group_query := CASE WHEN group_query IS NULL THEN term ELSE group_query || term END;
                        END LOOP;
                        result := CASE WHEN result IS NULL THEN group_query ELSE result && group_query END;
                    END LOOP;
                    FOREACH phrase IN ARRAY coalesce(phrases, '{}') LOOP
                        result := CASE WHEN result IS NULL THEN phraseto_tsquery('simple', phrase) ELSE result && phraseto_tsquery('simple', phrase) END;
                    END LOOP;
                    RETURN result;
                END
                $$
                """,
            ]
        ),
        Migration(
            101,
            "recommendations",
            [
                // Who booked what, from the feed's confirmed bookings: the traveler × experience matrix.
                """
                CREATE TABLE booked (
                    booking_id uuid PRIMARY KEY,
                    traveler_id uuid NOT NULL,
                    experience_id uuid NOT NULL
                )
                """,
                "CREATE INDEX booked_traveler ON booked (traveler_id)",
                // Each experience's nearest others by each source, replaced whole by every recomputation.
                """
                CREATE TABLE neighbours (
                    experience_id uuid NOT NULL,
                    other_id uuid NOT NULL,
                    source text NOT NULL,
                    score double precision NOT NULL,
                    PRIMARY KEY (experience_id, source, other_id)
                )
                """,
            ]
        ),
        Migration(
            102,
            "availability on documents",
            [
                // The start of an experience's last open slot with a seat: it has future availability while this is
                // in the future, so that a search reads the slots only to filter by date or by seats for a group.
                "ALTER TABLE documents ADD COLUMN last_open_at timestamptz",
                """
                UPDATE documents d SET last_open_at = (
                    SELECT max(starts_at) FROM slots s WHERE s.experience_id = d.id AND s.status = 'open' AND s.remaining > 0
                )
                """,
                // Whether a word being typed starts a known word, by range over the bytes, which a query can bind.
                "CREATE INDEX lexicon_prefix ON lexicon (word text_pattern_ops)",
            ]
        ),
        Migration(
            103,
            "documents' writers, for the index in memory",
            [
                // The transaction that last wrote each document: every instance's index reads what was written since
                // its last read by that, whatever wrote it (the feed, a reindex, an operator's UPDATE).
                "ALTER TABLE documents ADD COLUMN written_by xid8 NOT NULL DEFAULT pg_current_xact_id()",
                "CREATE INDEX documents_written_by ON documents (written_by)",
                """
                CREATE FUNCTION note_writer() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.written_by := pg_current_xact_id();
                    RETURN NEW;
                END
                $$
                """,
                "CREATE TRIGGER documents_writer BEFORE INSERT OR UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION note_writer()",
                // Searches match in memory now; the feed need not keep the words' index up to date any more.
                "DROP INDEX documents_words",
                "DROP FUNCTION text_query(text[], boolean, text[])",
            ]
        ),
        Migration(
            104,
            "no index on earthdistance's functions",
            [
                // The index in memory measures distances. This index's `ll_to_earth` does not resolve its `earth` type
                // under autovacuum's empty search_path, so automatic ANALYZE of documents failed every time and left
                // the planner guessing (the follower's read of recent writes became a scan of the whole table).
                "DROP INDEX documents_place"
            ]
        ),
        Migration(
            105,
            "providers' names and cities",
            [
                """
                CREATE TABLE providers (
                    id uuid PRIMARY KEY,
                    name text NOT NULL,
                    city text,
                    version bigint NOT NULL
                )
                """,
                "ALTER TABLE documents ADD COLUMN provider_name text NOT NULL DEFAULT '', ADD COLUMN provider_city text NOT NULL DEFAULT ''",
                "ALTER TABLE documents DROP COLUMN words",
                """
                ALTER TABLE documents ADD COLUMN words tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', folded(title)), 'A') ||
                    setweight(to_tsvector('english', folded(title)), 'A') ||
                    setweight(to_tsvector('spanish', folded(title)), 'A') ||
                    setweight(to_tsvector('simple', folded(joined(tags) || ' ' || category || ' ' || city)), 'B') ||
                    setweight(to_tsvector('english', folded(joined(tags))), 'B') ||
                    setweight(to_tsvector('spanish', folded(joined(tags))), 'B') ||
                    setweight(to_tsvector('simple', folded(provider_name || ' ' || provider_city)), 'B') ||
                    setweight(to_tsvector('english', folded(description)), 'C') ||
                    setweight(to_tsvector('spanish', folded(description)), 'C')
                ) STORED
                """,
            ]
        ),
        Migration(106, "cover photos", ["ALTER TABLE documents ADD COLUMN cover_photo_id uuid"]),
        // A pending list of new words made every typo lookup (and every lookup of one word, which the planner gave to
        // these indexes) read the whole list: 5 ms a word while the feed was loading. New words are few once a
        // catalogue is in; each now goes into the index as it comes.
        Migration(
            107,
            "trigram indexes without a pending list",
            [
                "ALTER INDEX lexicon_trigrams SET (fastupdate = off)",
                "ALTER INDEX completions_trigrams SET (fastupdate = off)",
                "SELECT gin_clean_pending_list('lexicon_trigrams'), gin_clean_pending_list('completions_trigrams')",
            ]
        ),
        // For `Retention`: the feed's events are received in time order.
        Migration(108, "feed events age out", ["CREATE INDEX feed_events_received ON feed_events USING brin (received_at)"]),
        // PostgreSQL 15 computes a generated column again on every UPDATE of a table with a BEFORE UPDATE trigger, so
        // noting a document's availability or a booking stemmed all its texts again: a third of the feed's work in
        // PostgreSQL. The writers' trigger now computes the words itself, and only when a text they come from changed.
        // The column keeps its values, and what the previous release writes gets its words the same way.
        Migration(
            109,
            "documents' words computed when their texts change",
            [
                "ALTER TABLE documents ALTER COLUMN words DROP EXPRESSION",
                """
                CREATE FUNCTION document_written() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                BEGIN
                    NEW.written_by := pg_current_xact_id();
                    IF TG_OP = 'UPDATE' THEN
                        IF \(textsUnchanged) THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                    NEW.words := \(newWords);
                    RETURN NEW;
                END
                $$
                """,
                "DROP TRIGGER documents_writer ON documents",
                "CREATE TRIGGER documents_writer BEFORE INSERT OR UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION document_written()",
                "DROP FUNCTION note_writer()",
            ]
        ),
        // The feed's upsert offers every experience as an insert first, and a BEFORE INSERT trigger runs before the
        // conflict is found: an experience already indexed had its texts stemmed for nothing at every change of its
        // price, rating or status (one upsert of 12 such experiences: 1.6-1.8 ms, 1.0-1.2 after). An insert of a
        // document that exists leaves the words to the update it becomes; documents are never deleted, so one found
        // here is the conflict.
        Migration(
            110,
            "documents' words not stemmed by an insert that becomes an update",
            [
                """
                CREATE OR REPLACE FUNCTION document_written() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                BEGIN
                    NEW.written_by := pg_current_xact_id();
                    IF TG_OP = 'INSERT' THEN
                        IF EXISTS (SELECT 1 FROM documents WHERE id = NEW.id) THEN
                            RETURN NEW;
                        END IF;
                    ELSIF \(textsUnchanged) THEN
                        RETURN NEW;
                    END IF;
                    NEW.words := \(newWords);
                    RETURN NEW;
                END
                $$
                """
            ]
        ),
    ]

    /// Whether an update leaves every text the words come from as it was (migrations 109 and 110).
    private static let textsUnchanged = """
        (NEW.title, NEW.description, NEW.tags, NEW.category, NEW.city, NEW.provider_name, NEW.provider_city)
            IS NOT DISTINCT FROM (OLD.title, OLD.description, OLD.tags, OLD.category, OLD.city, OLD.provider_name, OLD.provider_city)
        """

    /// The words of the row being written, from its texts, as the writers' trigger sets them (migrations 109 and 110).
    private static let newWords = """
        setweight(to_tsvector('simple', folded(NEW.title)), 'A') ||
        setweight(to_tsvector('english', folded(NEW.title)), 'A') ||
        setweight(to_tsvector('spanish', folded(NEW.title)), 'A') ||
        setweight(to_tsvector('simple', folded(joined(NEW.tags) || ' ' || NEW.category || ' ' || NEW.city)), 'B') ||
        setweight(to_tsvector('english', folded(joined(NEW.tags))), 'B') ||
        setweight(to_tsvector('spanish', folded(joined(NEW.tags))), 'B') ||
        setweight(to_tsvector('simple', folded(NEW.provider_name || ' ' || NEW.provider_city)), 'B') ||
        setweight(to_tsvector('english', folded(NEW.description)), 'C') ||
        setweight(to_tsvector('spanish', folded(NEW.description)), 'C')
        """
}

-- silver.batch_rejects for this batch: each bronze row of the loads it claimed that silver refuses,
-- with the first reason found. Every other row of those loads is accepted:
-- silver/insert_listening_events.sql reads those straight from bronze, so the full-width rows are
-- written once, into silver. Rows are keyed by (event_id, source_file, loaded_at), as
-- tests/silver_reconciles_with_bronze.sql matches them. Every ? is the batch id.
INSERT INTO silver.batch_rejects (batch_id, event_id, source_file, loaded_at, reject_reason)
WITH batch_rows AS (
    SELECT
        b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
        b.event_type, b.device_type, b.country, b.ms_played, b.event_timestamp, b.source_file, b.loaded_at
    FROM bronze.listening_events AS b
    WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
-- Snowflake does not enforce primary keys, so bronze may hold an event twice: the first load
-- (earliest loaded_at, then source_file) wins. Copies are rare, so only the rows of repeated
-- event_ids are numbered: a window over every row would sort all of them, every column.
repeated_ids AS (
    SELECT event_id
    FROM batch_rows
    GROUP BY event_id
    HAVING COUNT(*) > 1
),
numbered AS (
    SELECT n.*, 1 AS copy_number
    FROM batch_rows AS n
    WHERE NOT EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
    UNION ALL
    SELECT n.*, ROW_NUMBER() OVER (PARTITION BY n.event_id ORDER BY n.loaded_at, n.source_file) AS copy_number
    FROM batch_rows AS n
    WHERE EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
),
-- A copy of an event already in silver is a duplicate too. Found through silver.event_keys: silver
-- is read only on the days where a key of the batch matched (silver.key_match_days, none usually),
-- to compare the ids themselves.
already_in_silver AS (
    SELECT s.event_id
    FROM silver.listening_events AS s
    INNER JOIN silver.key_match_days AS d ON d.event_day = s.event_day
    WHERE s.event_id IN (SELECT event_id FROM batch_rows)
),
with_copies AS (
    SELECT
        n.*,
        TRY_TO_TIMESTAMP_TZ(n.event_timestamp) AS parsed_timestamp,
        a.event_id IS NOT NULL AS already_in_silver
    FROM numbered AS n
    LEFT JOIN already_in_silver AS a ON a.event_id = n.event_id
),
checked AS (
    SELECT
        event_id,
        source_file,
        loaded_at,
        -- The first problem found, in the contract's field order; NULL for an accepted row.
        CASE
            WHEN event_id IS NULL THEN 'event_id is null'
            WHEN schema_version IS NULL THEN 'schema_version is null'
            WHEN schema_version <> 1 THEN 'schema_version is not 1'
            WHEN user_id IS NULL THEN 'user_id is null'
            WHEN song_id IS NULL THEN 'song_id is null'
            WHEN artist_name IS NULL THEN 'artist_name is null'
            WHEN song_name IS NULL THEN 'song_name is null'
            WHEN event_type IS NULL THEN 'event_type is null'
            WHEN event_type NOT IN ('play', 'pause', 'skip', 'add_to_playlist')
                THEN 'event_type is not one of play, pause, skip, add_to_playlist'
            WHEN device_type IS NULL THEN 'device_type is null'
            WHEN device_type NOT IN ('mobile', 'desktop', 'web')
                THEN 'device_type is not one of mobile, desktop, web'
            WHEN country IS NULL THEN 'country is null'
            WHEN NOT REGEXP_LIKE(country, '[A-Z]{2}') THEN 'country is not two upper-case letters'
            WHEN ms_played < 0 OR ms_played > 86400000 THEN 'ms_played is not between 0 and 86400000'
            WHEN event_timestamp IS NULL THEN 'event_timestamp is null'
            WHEN NOT REGEXP_LIKE(event_timestamp, '.*(Z|[+-][0-9]{2}:[0-9]{2})')
                THEN 'event_timestamp has no time zone'
            WHEN parsed_timestamp IS NULL THEN 'event_timestamp is not a timestamp'
            WHEN already_in_silver OR copy_number > 1 THEN 'duplicate event_id'
        END AS reject_reason
    FROM with_copies
)
SELECT ?, event_id, source_file, loaded_at, reject_reason
FROM checked
WHERE reject_reason IS NOT NULL

-- silver.bronze_batch: the keys of this run's new bronze rows that are not simply appended, each
-- with the reason silver refuses it (NULL when accepted). Replaced on every run. It holds
--   * every refused row, with its reason, and
--   * the accepted rows loaded at the watermark instant (the only new rows the loaded_at range of
--     silver.bronze_batch_bounds does not single out by itself).
-- Every other new row in that range is accepted: silver.insert_listening_events reads those
-- straight from bronze, so the full-width rows are written once, into silver, and not first into
-- a 10-million-row intermediate table as well. Rows are keyed by (event_id, source_file,
-- loaded_at), as tests/silver_reconciles_with_bronze.sql matches them.
CREATE OR REPLACE TABLE silver.bronze_batch AS
WITH processed_at_watermark AS (
    SELECT s.event_id, s.source_file
    FROM silver.listening_events AS s
    INNER JOIN silver.bronze_batch_bounds AS w ON s.loaded_at = w.processed_through AND w.watermark_has_new_rows
    UNION ALL
    SELECT r.event_id, r.source_file
    FROM silver.rejected_events AS r
    INNER JOIN silver.bronze_batch_bounds AS w ON r.loaded_at = w.processed_through AND w.watermark_has_new_rows
),
new_rows AS (
    SELECT
        b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
        b.event_type, b.device_type, b.country, b.ms_played, b.event_timestamp, b.source_file, b.loaded_at,
        FALSE AS at_watermark
    FROM bronze.listening_events AS b
    -- Scalar subqueries, not a join, so that DuckDB can skip the row groups outside the range.
    WHERE b.loaded_at > (SELECT processed_through FROM silver.bronze_batch_bounds)
      AND b.loaded_at <= (SELECT loaded_through FROM silver.bronze_batch_bounds)
    UNION ALL
    SELECT
        b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
        b.event_type, b.device_type, b.country, b.ms_played, b.event_timestamp, b.source_file, b.loaded_at,
        TRUE AS at_watermark
    FROM bronze.listening_events AS b
    INNER JOIN silver.bronze_batch_bounds AS w ON b.loaded_at = w.processed_through AND w.watermark_has_new_rows
    WHERE NOT EXISTS (
        SELECT 1
        FROM processed_at_watermark AS p
        WHERE p.event_id = b.event_id AND p.source_file = b.source_file
    )
),
-- Snowflake does not enforce primary keys, so bronze may hold an event twice: the first load
-- (earliest loaded_at, then source_file) wins. Copies are rare, so only the rows of repeated
-- event_ids are numbered: a window over every row would sort all of them, every column.
repeated_ids AS (
    SELECT event_id
    FROM new_rows
    GROUP BY event_id
    HAVING COUNT(*) > 1
),
numbered AS (
    SELECT n.*, 1 AS copy_number
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
    UNION ALL
    SELECT n.*, ROW_NUMBER() OVER (PARTITION BY n.event_id ORDER BY n.loaded_at, n.source_file) AS copy_number
    FROM new_rows AS n
    WHERE EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
),
-- A copy of an event already in silver is a duplicate too. Found by a semi-join that keeps the
-- few new ids in the hash table and streams silver past it, rather than hashing all of silver.
already_in_silver AS (
    SELECT s.event_id
    FROM silver.listening_events AS s
    WHERE s.event_id IN (SELECT event_id FROM new_rows)
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
        at_watermark,
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
SELECT event_id, source_file, loaded_at, reject_reason
FROM checked
WHERE reject_reason IS NOT NULL OR at_watermark

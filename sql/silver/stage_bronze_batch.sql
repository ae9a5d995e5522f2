-- silver.bronze_batch: the bronze rows this run has not yet processed, each with the reason silver
-- refuses it (NULL when accepted). Replaced on every run; the silver inserts read it (its accepted
-- rows' event_day values become silver.pending_days, the days the day-grained gold models rebuild).
--
-- Which rows are new: bronze is append-only (the loader inserts a row once and never updates it),
-- so the rows loaded after the newest loaded_at already in silver or rejected_events are new. Rows
-- loaded at exactly that instant are compared by (event_id, source_file), so a load that shares
-- the instant is neither skipped nor processed twice. The watermark lives in the data itself, not
-- in a state table, so it cannot disagree with it.
CREATE OR REPLACE TABLE silver.bronze_batch AS
WITH watermark AS (
    SELECT MAX(processed.loaded_at) AS processed_through
    FROM (
        SELECT loaded_at FROM silver.listening_events
        UNION ALL
        SELECT loaded_at FROM silver.rejected_events
    ) AS processed
),
processed_at_watermark AS (
    SELECT s.event_id, s.source_file
    FROM silver.listening_events AS s
    INNER JOIN watermark AS w ON s.loaded_at = w.processed_through
    UNION ALL
    SELECT r.event_id, r.source_file
    FROM silver.rejected_events AS r
    INNER JOIN watermark AS w ON r.loaded_at = w.processed_through
),
new_rows AS (
    SELECT
        b.event_id,
        b.schema_version,
        b.session_id,
        b.user_id,
        b.song_id,
        b.artist_name,
        b.song_name,
        b.event_type,
        b.device_type,
        b.country,
        b.ms_played,
        b.event_timestamp,
        b.source_file,
        b.loaded_at,
        TRY_TO_TIMESTAMP_TZ(b.event_timestamp) AS parsed_timestamp
    FROM bronze.listening_events AS b
    CROSS JOIN watermark AS w
    WHERE (w.processed_through IS NULL OR b.loaded_at >= w.processed_through)
      AND NOT EXISTS (
          SELECT 1
          FROM processed_at_watermark AS p
          WHERE p.event_id = b.event_id AND p.source_file = b.source_file
      )
),
with_copies AS (
    SELECT
        n.*,
        -- Snowflake does not enforce primary keys, so bronze may hold an event twice: the first
        -- load wins, and a copy of an event already in silver is a duplicate too.
        ROW_NUMBER() OVER (PARTITION BY n.event_id ORDER BY n.loaded_at, n.source_file) AS copy_number,
        s.event_id IS NOT NULL AS already_in_silver
    FROM new_rows AS n
    LEFT JOIN silver.listening_events AS s ON s.event_id = n.event_id
)
SELECT
    event_id,
    schema_version,
    session_id,
    user_id,
    song_id,
    artist_name,
    song_name,
    event_type,
    device_type,
    country,
    ms_played,
    CAST(CONVERT_TIMEZONE('UTC', parsed_timestamp) AS TIMESTAMP_NTZ) AS event_ts,
    CAST(CAST(CONVERT_TIMEZONE('UTC', parsed_timestamp) AS TIMESTAMP_NTZ) AS DATE) AS event_day,
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

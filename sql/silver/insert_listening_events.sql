-- Appends this run's accepted rows to silver.listening_events, read straight from bronze: the new
-- rows after the watermark that silver.bronze_batch does not refuse, and the accepted rows at the
-- watermark instant that it lists. Bronze's event_id is NOT NULL, so the equality anti-join
-- cannot let a refused row with a NULL event_id through.
INSERT INTO silver.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at
)
SELECT
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played,
    CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(event_timestamp)) AS TIMESTAMP_NTZ) AS event_ts,
    CAST(CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(event_timestamp)) AS TIMESTAMP_NTZ) AS DATE) AS event_day,
    source_file, loaded_at
FROM (
    SELECT
        b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
        b.event_type, b.device_type, b.country, b.ms_played, b.event_timestamp, b.source_file, b.loaded_at
    FROM bronze.listening_events AS b
    -- Scalar subqueries, not a join, so that DuckDB can skip the row groups outside the range.
    WHERE b.loaded_at > (SELECT processed_through FROM silver.bronze_batch_bounds)
      AND b.loaded_at <= (SELECT loaded_through FROM silver.bronze_batch_bounds)
      AND NOT EXISTS (
          SELECT 1
          FROM silver.bronze_batch AS r
          WHERE r.reject_reason IS NOT NULL
            AND r.event_id = b.event_id AND r.source_file = b.source_file AND r.loaded_at = b.loaded_at
      )
    UNION ALL
    SELECT
        b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
        b.event_type, b.device_type, b.country, b.ms_played, b.event_timestamp, b.source_file, b.loaded_at
    FROM bronze.listening_events AS b
    INNER JOIN silver.bronze_batch AS k
        ON k.event_id = b.event_id AND k.source_file = b.source_file AND k.loaded_at = b.loaded_at
    WHERE k.reject_reason IS NULL
      AND b.loaded_at = (SELECT processed_through FROM silver.bronze_batch_bounds)
) AS accepted

-- Appends this batch's accepted rows to silver.listening_events, read straight from bronze: the
-- rows of the loads the batch claimed that silver/stage_batch_rejects.sql does not refuse. Bronze's
-- event_id is NOT NULL, so the equality anti-join cannot let a refused row with a NULL event_id
-- through. Every ? is the batch id.
INSERT INTO silver.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at, load_id
)
SELECT
    b.event_id, b.schema_version, b.session_id, b.user_id, b.song_id, b.artist_name, b.song_name,
    b.event_type, b.device_type, b.country, b.ms_played,
    CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(b.event_timestamp)) AS TIMESTAMP_NTZ) AS event_ts,
    CAST(CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(b.event_timestamp)) AS TIMESTAMP_NTZ) AS DATE) AS event_day,
    b.source_file, b.loaded_at, COALESCE(b.load_id, 'before-load-ids') AS load_id
FROM bronze.listening_events AS b
WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
  AND NOT EXISTS (
      SELECT 1
      FROM silver.batch_rejects AS r
      WHERE r.batch_id = ?
        AND r.event_id = b.event_id AND r.source_file = b.source_file AND r.loaded_at = b.loaded_at
  )

-- Appends this batch's accepted rows (silver/insert_batch_events.sql) to silver.listening_events.
-- Bound: the batch id.
INSERT INTO silver.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at, load_id
)
SELECT
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at, load_id
FROM silver.batch_events
WHERE batch_id = ?

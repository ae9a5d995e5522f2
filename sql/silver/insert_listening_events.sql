-- Appends this run's accepted rows to silver.listening_events.
INSERT INTO silver.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at
)
SELECT
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
    device_type, country, ms_played, event_ts, event_day, source_file, loaded_at
FROM silver.bronze_batch
WHERE reject_reason IS NULL

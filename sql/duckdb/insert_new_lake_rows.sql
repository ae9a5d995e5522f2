-- DuckDB only: new_lake_rows into bronze, stamped with the load's time.
INSERT INTO bronze.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, loaded_at
)
SELECT
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, CURRENT_TIMESTAMP
FROM new_lake_rows

-- DuckDB only: the lines of the files read line by line (bronze.load_staging, filled by the
-- contract validator's appender) into bronze, stamped like insert_lake_files.sql's rows and in
-- each file's line order, so that delete_later_copies.sql treats both paths' rows alike.
INSERT INTO bronze.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, loaded_at, load_id
)
SELECT
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, getvariable('load_stamp'),
    getvariable('load_id')
FROM bronze.load_staging
ORDER BY source_file, line_number

-- Lines of a lake file the warehouse's own reader refused, once the contract validator has
-- checked them: its events into the staging table, one row per line, sent many at a time (array
-- binding), with line numbers as METADATA$FILE_ROW_NUMBER gives them, so the MERGE's choice of
-- each event's first sighting is the same whichever way a file was read.
INSERT INTO bronze.load_staging (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, line_number
)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

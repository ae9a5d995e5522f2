-- One row per event_id: staged rows are reduced to each event_id's first sighting, and only events
-- bronze does not have are inserted. Rerunning a load therefore adds nothing. Bound: the load id
-- (bronze.loads) every inserted row carries.
MERGE INTO bronze.listening_events AS target
USING (
    SELECT *
    FROM bronze.load_staging
    QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY source_file, line_number) = 1
) AS staged
ON target.event_id = staged.event_id
WHEN NOT MATCHED THEN INSERT (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, loaded_at, load_id
) VALUES (
    staged.event_id, staged.schema_version, staged.session_id, staged.user_id, staged.song_id,
    staged.artist_name, staged.song_name, staged.event_type, staged.device_type, staged.country,
    staged.ms_played, staged.event_timestamp, staged.source_file, CURRENT_TIMESTAMP, ?
)

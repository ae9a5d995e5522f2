-- silver.song_names. Grain: one row per song_id. The name and artist a song is shown with: those of
-- its latest event (by event_ts, then event_id), kept with that event's time and id so that a
-- batch replaces them only with a later event's.
CREATE TABLE IF NOT EXISTS silver.song_names (
    song_id VARCHAR NOT NULL,
    song_name VARCHAR NOT NULL,
    artist_name VARCHAR NOT NULL,
    latest_event_ts TIMESTAMP_NTZ NOT NULL,
    latest_event_id VARCHAR NOT NULL
)

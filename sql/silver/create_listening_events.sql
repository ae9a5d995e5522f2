-- silver.listening_events. Grain: one row per event_id. See sql/silver/README.md for the columns.
CREATE TABLE IF NOT EXISTS silver.listening_events (
    event_id VARCHAR NOT NULL,
    schema_version INTEGER NOT NULL,
    session_id VARCHAR,
    user_id VARCHAR NOT NULL,
    song_id VARCHAR NOT NULL,
    artist_name VARCHAR NOT NULL,
    song_name VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    device_type VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    ms_played BIGINT,
    -- When the event happened, UTC wall-clock time.
    event_ts TIMESTAMP_NTZ NOT NULL,
    -- The UTC day of event_ts: every day-grained model groups by it.
    event_day DATE NOT NULL,
    -- Lineage, copied from bronze: which lake object, when and in which load the loader brought it in.
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP_NTZ NOT NULL,
    load_id VARCHAR
)

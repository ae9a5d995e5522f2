-- silver.batch_events. Grain: one row per accepted event of a batch, the same columns as
-- silver.listening_events and the batch's id. The new rows the gold models maintained from deltas
-- fold in (silver.applied_batches says which model has folded which batch), so that an hourly
-- run reads the hour's rows, not all of silver. Emptied once every model has run
-- (silver/clear_batch_events.sql); a run that fails halfway leaves them for the next run.
CREATE TABLE IF NOT EXISTS silver.batch_events (
    batch_id VARCHAR NOT NULL,
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
    event_ts TIMESTAMP_NTZ NOT NULL,
    event_day DATE NOT NULL,
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP_NTZ NOT NULL,
    load_id VARCHAR NOT NULL
)

-- Rows of the files being loaded, before they are merged into bronze.listening_events. Filled and
-- emptied inside the load's transaction (on Snowflake by COPY INTO; on DuckDB only by the appender of
-- the line-by-line fallback: DuckDB's JSON reader stages into an in-memory table, duckdb/stage_lake_files.sql).
CREATE TABLE IF NOT EXISTS bronze.load_staging (
    event_id VARCHAR,
    schema_version INTEGER,
    session_id VARCHAR,
    user_id VARCHAR,
    song_id VARCHAR,
    artist_name VARCHAR,
    song_name VARCHAR,
    event_type VARCHAR,
    device_type VARCHAR,
    country VARCHAR,
    ms_played BIGINT,
    event_timestamp VARCHAR,
    source_file VARCHAR NOT NULL,
    line_number BIGINT NOT NULL
)

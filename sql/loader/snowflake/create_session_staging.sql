-- Snowflake only, once per load session, before any load transaction (DDL commits): the staging
-- table COPY INTO fills, TEMPORARY, so it is the session's own. Two loads can never see or lock each
-- other's staged rows, and a session that dies takes its table with it. Its columns are those of
-- DuckDB's (loader/duckdb/create_load_staging.sql): the loader's statements read both alike.
CREATE TEMPORARY TABLE IF NOT EXISTS bronze.load_staging (
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

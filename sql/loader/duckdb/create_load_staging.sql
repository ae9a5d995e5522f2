-- DuckDB only: the lines of files read line by line through the contract validator (the JSON
-- reader streams every other file straight into bronze: insert_lake_files.sql), filled by the
-- appender and emptied inside the load's transaction. Its columns are those of Snowflake's
-- session staging table (loader/snowflake/create_session_staging.sql): the loader writes both alike.
-- A permanent table: a DuckDB file has one writer at a time, so no other load can see it.
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

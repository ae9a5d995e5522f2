-- Grain: one row per event_id, kept so by the loader's MERGE (and checked by a data-quality test).
-- No PRIMARY KEY: Snowflake does not enforce one, and in DuckDB its index triples the insert time.
-- Columns are the v1 contract's fields as the consumer wrote them (timestamps already UTC ISO-8601
-- text, parsed in silver), plus lineage.
CREATE TABLE IF NOT EXISTS bronze.listening_events (
    event_id VARCHAR NOT NULL,
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
    -- The lake object the row came from (its first load).
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    -- The load transaction that inserted the row (bronze.loads): what a transformation batch claims.
    load_id VARCHAR
)

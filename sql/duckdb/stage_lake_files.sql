-- DuckDB only (Snowflake stages with COPY INTO): the downloaded lake files, read by DuckDB's own
-- JSON reader, into a temporary table: it lives in memory (spilling to a temporary file if it must),
-- so the rows are written into the database file once, into bronze, and not first into
-- bronze.load_staging as well. Created inside the load's transaction. getvariable('load_files') lists the local copies and
-- getvariable('load_file_keys') their lake keys, in the same order. Fields outside the contract are
-- ignored; a value of the wrong type fails the statement, and the loader then stages those files
-- line by line through the contract validator instead, keeping every bad line with its reason.
-- No line number is computed: the table keeps the reader's order (files in list order, lines in
-- file order; DuckDB's preserve_insertion_order), so its rowid orders each file's lines, and
-- ROW_NUMBER() OVER () would number every row on one thread (0.43 s of 1.0 s for 500,000 rows).
CREATE OR REPLACE TEMP TABLE lake_rows AS
SELECT
    event_id,
    schema_version,
    session_id,
    user_id,
    song_id,
    artist_name,
    song_name,
    event_type,
    device_type,
    country,
    ms_played,
    "timestamp" AS event_timestamp,
    getvariable('load_file_keys')[list_position(getvariable('load_files'), filename)] AS source_file
FROM read_json(
    getvariable('load_files'),
    format = 'newline_delimited',
    compression = 'gzip',
    filename = true,
    columns = {
        event_id: 'VARCHAR',
        schema_version: 'INTEGER',
        session_id: 'VARCHAR',
        user_id: 'VARCHAR',
        song_id: 'VARCHAR',
        artist_name: 'VARCHAR',
        song_name: 'VARCHAR',
        event_type: 'VARCHAR',
        device_type: 'VARCHAR',
        country: 'VARCHAR',
        ms_played: 'BIGINT',
        "timestamp": 'VARCHAR'
    }
)

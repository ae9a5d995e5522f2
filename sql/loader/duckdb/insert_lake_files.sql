-- DuckDB only (Snowflake stages with COPY INTO and then MERGEs): the downloaded lake files, read by
-- DuckDB's own JSON reader, streamed straight into bronze in one statement, every line stamped
-- with getvariable('load_stamp') and the load's getvariable('load_id'). delete_later_copies.sql then
-- removes the lines bronze already had or that repeat an earlier line. Copies are rare, so one pass
-- that parses and writes at once does less than staging every line, choosing and copying it again
-- (`npm run bench` measures the loader against DuckDB's reader alone).
-- getvariable('load_files') lists the local copies, each named <load_folder>/<n> for the n-th key
-- of getvariable('load_file_keys'): a list lookup per row, where searching the list by path would
-- compare each row's path with up to 500 others. Fields outside the contract are ignored.
-- A value of the wrong type or a line that is not JSON fails the statement, naming the file, as
-- does a line with no event_id (bronze's NOT NULL, naming none); the loader then reads that file
-- (or, if none is named, the whole batch) line by line through the contract validator instead,
-- keeping every bad line with its reason (insert_staged_lines.sql). Rows keep the reader's order
-- (files in list order, lines in file order; DuckDB's preserve_insertion_order), so rowid orders
-- a file's lines.
INSERT INTO bronze.listening_events (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, loaded_at, load_id
)
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
    "timestamp",
    getvariable('load_file_keys')[CAST(SUBSTR(filename, LENGTH(getvariable('load_folder')) + 2) AS INTEGER)],
    getvariable('load_stamp'),
    getvariable('load_id')
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

-- Snowflake only (DuckDB stages with its JSON reader): the listed lake files into the staging table,
-- through the external stage over the lake's bronze/ folder. The loader replaces '__LAKE_FILES__'
-- with the quoted names of the files to load relative to that folder (at most 1,000), checked
-- against the lake layout first; source_file gets the full lake key back, as the ledger records it.
-- FORCE = TRUE: the load ledger, not COPY's 64-day load metadata, decides what is new, so a file
-- whose earlier load was rolled back is loaded again rather than skipped.
COPY INTO bronze.load_staging (
    event_id, schema_version, session_id, user_id, song_id, artist_name, song_name,
    event_type, device_type, country, ms_played, event_timestamp, source_file, line_number
)
FROM (
    SELECT
        $1:event_id::VARCHAR,
        $1:schema_version::INTEGER,
        $1:session_id::VARCHAR,
        $1:user_id::VARCHAR,
        $1:song_id::VARCHAR,
        $1:artist_name::VARCHAR,
        $1:song_name::VARCHAR,
        $1:event_type::VARCHAR,
        $1:device_type::VARCHAR,
        $1:country::VARCHAR,
        $1:ms_played::BIGINT,
        $1:timestamp::VARCHAR,
        'bronze/' || METADATA$FILENAME,
        METADATA$FILE_ROW_NUMBER
    FROM @bronze.lake_stage
)
FILES = ('__LAKE_FILES__')
FILE_FORMAT = (TYPE = 'JSON' COMPRESSION = 'GZIP')
ON_ERROR = 'ABORT_STATEMENT'
FORCE = TRUE

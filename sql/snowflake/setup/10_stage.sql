-- Run as SPOTIFY_PIPELINE, after the bronze schema exists (the loader creates it on its first run,
-- or run sql/bronze/create_schema.sql). The stage sits over the lake's bronze/ folder, the only one
-- the integration (and the IAM role behind it) may read.
CREATE STAGE IF NOT EXISTS SPOTIFY.bronze.lake_stage
    URL = 's3://<lake-bucket>/bronze/'
    STORAGE_INTEGRATION = SPOTIFY_LAKE
    FILE_FORMAT = (TYPE = 'JSON' COMPRESSION = 'GZIP')

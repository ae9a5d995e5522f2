-- Run once, as ACCOUNTADMIN (README: Snowflake prerequisites). The pipeline's role and an
-- extra-small warehouse that suspends after a minute idle, so it costs nothing between loads.
CREATE ROLE IF NOT EXISTS SPOTIFY_PIPELINE

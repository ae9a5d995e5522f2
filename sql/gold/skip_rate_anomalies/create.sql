-- gold.skip_rate_anomalies. Grain: one row per (UTC day, song) whose skip rate that day departs
-- from the song's own trailing baseline. See merge_rescored_days.sql for the method;
-- found_in_batch is the run that first found it (what the pipeline announces as new).
CREATE TABLE IF NOT EXISTS gold.skip_rate_anomalies (
    day DATE NOT NULL,
    song_id VARCHAR NOT NULL,
    song_name VARCHAR NOT NULL,
    artist_name VARCHAR NOT NULL,
    plays BIGINT NOT NULL,
    skips BIGINT NOT NULL,
    skip_rate DOUBLE NOT NULL,
    baseline_skip_rate DOUBLE NOT NULL,
    baseline_days BIGINT NOT NULL,
    score DOUBLE NOT NULL,
    found_in_batch VARCHAR NOT NULL
)

-- silver.song_days. Grain: one row per (song, UTC day with a play or skip of it): its plays and
-- skips that day. The state gold.skip_rate_anomalies is maintained from: a batch adds its plays
-- and skips to their days, and the baselines are read from here, never from the events.
CREATE TABLE IF NOT EXISTS silver.song_days (
    song_id VARCHAR NOT NULL,
    event_day DATE NOT NULL,
    plays BIGINT NOT NULL,
    skips BIGINT NOT NULL
)

-- silver.anomaly_candidates. Scratch of gold.skip_rate_anomalies, empty outside its step: the
-- rescored (song, day) pairs that are anomalies, with the batch that first found each.
CREATE TABLE IF NOT EXISTS silver.anomaly_candidates (
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

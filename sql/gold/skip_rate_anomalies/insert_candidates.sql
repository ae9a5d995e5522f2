-- The rescored days' anomalies.
INSERT INTO gold.skip_rate_anomalies (
    day, song_id, song_name, artist_name, plays, skips, skip_rate, baseline_skip_rate, baseline_days, score,
    found_in_batch
)
SELECT
    day, song_id, song_name, artist_name, plays, skips, skip_rate, baseline_skip_rate, baseline_days, score,
    found_in_batch
FROM silver.anomaly_candidates

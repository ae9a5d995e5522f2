-- The skip-rate anomalies a batch found first: what the pipeline announces after the run. The
-- largest departures first. Bound: the batch id.
SELECT day, song_id, song_name, artist_name, plays, skip_rate, baseline_skip_rate, baseline_days, score
FROM gold.skip_rate_anomalies
WHERE found_in_batch = ?
ORDER BY ABS(score) DESC, day DESC, song_id

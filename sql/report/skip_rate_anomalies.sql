-- The report's skip_rate_anomalies section: latest day first, the largest departures first.
SELECT day, song_id, song_name, artist_name, plays, skips, skip_rate, baseline_skip_rate, score
FROM gold.skip_rate_anomalies
ORDER BY day DESC, ABS(score) DESC, song_id

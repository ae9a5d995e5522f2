-- silver.pending_song_days. Grain: one row per (song, UTC day) a batch brought plays or skips
-- for. gold.skip_rate_anomalies rescores that day and the 14 after it, whose baselines hold it.
-- Written and emptied within that model's transaction.
CREATE TABLE IF NOT EXISTS silver.pending_song_days (
    song_id VARCHAR NOT NULL,
    event_day DATE NOT NULL
)

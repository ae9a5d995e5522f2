-- Rescores every (song, day) whose baseline or own counts the batch changed (a pending day and
-- the 14 after it) and merges the result into gold: an anomaly already there is updated and keeps
-- the batch that found it, a new one is inserted, and one the new data explains away is deleted.
-- The method, documented in sql/gold/README.md:
-- - a day is scored, and a day counts in a baseline, only with at least 30 plays of the song;
-- - the baseline is the median of the song's daily skip rates (skips / plays) over the 14 UTC
--   days before, needing 7 such days; the spread is 1.4826 x their median absolute deviation
--   (the standard deviation, were the rates normal), floored at the binomial noise of the day's
--   own plays around the baseline, so a song whose rate barely moves is not flagged for noise;
-- - score = (skip rate - baseline) / spread; an anomaly when |score| >= 4 and the rate is at least
--   10 percentage points away from the baseline (large enough to matter, not only to detect).
-- Bound: the batch id, which a new anomaly is found in.
MERGE INTO gold.skip_rate_anomalies AS t
USING (
    WITH rescored AS (
        SELECT DISTINCT d.song_id, d.event_day AS day, d.plays, d.skips
        FROM silver.song_days AS d
        INNER JOIN silver.pending_song_days AS p
            ON p.song_id = d.song_id AND d.event_day >= p.event_day AND d.event_day <= p.event_day + 14
        WHERE d.plays >= 30
    ),
    history AS (
        SELECT r.song_id, r.day, CAST(h.skips AS DOUBLE) / h.plays AS rate
        FROM rescored AS r
        INNER JOIN silver.song_days AS h
            ON h.song_id = r.song_id AND h.event_day >= r.day - 14 AND h.event_day < r.day
        WHERE h.plays >= 30
    ),
    baseline AS (
        SELECT song_id, day, MEDIAN(rate) AS baseline_skip_rate, COUNT(*) AS baseline_days
        FROM history
        GROUP BY song_id, day
        HAVING COUNT(*) >= 7
    ),
    spread AS (
        SELECT h.song_id, h.day, MEDIAN(ABS(h.rate - b.baseline_skip_rate)) AS deviation
        FROM history AS h
        INNER JOIN baseline AS b ON b.song_id = h.song_id AND b.day = h.day
        GROUP BY h.song_id, h.day
    ),
    scored AS (
        SELECT
            r.song_id,
            r.day,
            r.plays,
            r.skips,
            CAST(r.skips AS DOUBLE) / r.plays AS skip_rate,
            b.baseline_skip_rate,
            b.baseline_days,
            (CAST(r.skips AS DOUBLE) / r.plays - b.baseline_skip_rate) / GREATEST(
                1.4826 * s.deviation,
                SQRT(
                    LEAST(GREATEST(b.baseline_skip_rate, 0.01), 0.99)
                    * (1 - LEAST(GREATEST(b.baseline_skip_rate, 0.01), 0.99))
                    / r.plays
                )
            ) AS score
        FROM rescored AS r
        LEFT JOIN baseline AS b ON b.song_id = r.song_id AND b.day = r.day
        LEFT JOIN spread AS s ON s.song_id = r.song_id AND s.day = r.day
    )
    SELECT
        c.day,
        c.song_id,
        n.song_name,
        n.artist_name,
        c.plays,
        c.skips,
        c.skip_rate,
        c.baseline_skip_rate,
        c.baseline_days,
        c.score,
        COALESCE(ABS(c.score) >= 4 AND ABS(c.skip_rate - c.baseline_skip_rate) >= 0.1, FALSE) AS is_anomaly
    FROM scored AS c
    INNER JOIN silver.song_names AS n ON n.song_id = c.song_id
) AS r
ON t.song_id = r.song_id AND t.day = r.day
WHEN MATCHED AND NOT r.is_anomaly THEN DELETE
WHEN MATCHED THEN UPDATE SET
    song_name = r.song_name,
    artist_name = r.artist_name,
    plays = r.plays,
    skips = r.skips,
    skip_rate = r.skip_rate,
    baseline_skip_rate = r.baseline_skip_rate,
    baseline_days = r.baseline_days,
    score = r.score
WHEN NOT MATCHED AND r.is_anomaly THEN INSERT (
    day, song_id, song_name, artist_name, plays, skips, skip_rate, baseline_skip_rate, baseline_days, score,
    found_in_batch
) VALUES (
    r.day, r.song_id, r.song_name, r.artist_name, r.plays, r.skips, r.skip_rate, r.baseline_skip_rate,
    r.baseline_days, r.score, ?
)

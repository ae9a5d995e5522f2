-- gold.skip_rate_by_song for the songs of the batches it has not folded, from their gold.top_songs
-- rows (every other song's row is unchanged).
MERGE INTO gold.skip_rate_by_song AS r
USING (
    SELECT
        t.song_id,
        t.song_name,
        t.artist_name,
        t.total_plays,
        t.total_skips,
        CAST(t.total_skips AS DOUBLE) / NULLIF(t.total_plays, 0) AS skip_rate
    FROM gold.top_songs AS t
    WHERE t.song_id IN (
        SELECT e.song_id
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.skip_rate_by_song'))
    )
) AS b
ON r.song_id = b.song_id
WHEN MATCHED THEN UPDATE SET
    song_name = b.song_name,
    artist_name = b.artist_name,
    total_plays = b.total_plays,
    total_skips = b.total_skips,
    skip_rate = b.skip_rate
WHEN NOT MATCHED THEN INSERT (song_id, song_name, artist_name, total_plays, total_skips, skip_rate)
    VALUES (b.song_id, b.song_name, b.artist_name, b.total_plays, b.total_skips, b.skip_rate)

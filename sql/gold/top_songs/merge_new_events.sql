-- gold.top_songs from the batches it has not folded: each of their songs' plays and skips added
-- to its totals, and its name set to silver.song_names' (a song's name changes only with an event
-- of its own, so a song this does not touch keeps a current name).
MERGE INTO gold.top_songs AS t
USING (
    SELECT d.song_id, n.song_name, n.artist_name, d.plays, d.skips
    FROM (
        SELECT
            e.song_id,
            COUNT_IF(e.event_type = 'play') AS plays,
            COUNT_IF(e.event_type = 'skip') AS skips
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.top_songs'))
        GROUP BY e.song_id
    ) AS d
    INNER JOIN silver.song_names AS n ON n.song_id = d.song_id
) AS b
ON t.song_id = b.song_id
WHEN MATCHED THEN UPDATE SET
    song_name = b.song_name,
    artist_name = b.artist_name,
    total_plays = t.total_plays + b.plays,
    total_skips = t.total_skips + b.skips
WHEN NOT MATCHED THEN INSERT (song_id, song_name, artist_name, total_plays, total_skips)
    VALUES (b.song_id, b.song_name, b.artist_name, b.plays, b.skips)

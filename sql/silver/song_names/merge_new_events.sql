-- silver.song_names from the batches it has not folded: for each of their songs, the latest event
-- (by event_ts, then event_id) replaces the stored name if it is later than the stored one. The
-- latest time per song is found by aggregation first, so that only the events at that time are
-- ranked. The result is that of ranking every event of the song.
MERGE INTO silver.song_names AS n
USING (
    WITH new_events AS (
        SELECT e.song_id, e.song_name, e.artist_name, e.event_ts, e.event_id
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'silver.song_names'))
    ),
    latest AS (
        SELECT song_id, MAX(event_ts) AS latest_ts
        FROM new_events
        GROUP BY song_id
    )
    SELECT e.song_id, e.song_name, e.artist_name, e.event_ts, e.event_id
    FROM new_events AS e
    INNER JOIN latest AS l ON l.song_id = e.song_id AND l.latest_ts = e.event_ts
    QUALIFY ROW_NUMBER() OVER (PARTITION BY e.song_id ORDER BY e.event_id DESC) = 1
) AS b
ON n.song_id = b.song_id
WHEN MATCHED AND (
    b.event_ts > n.latest_event_ts OR (b.event_ts = n.latest_event_ts AND b.event_id > n.latest_event_id)
) THEN UPDATE SET
    song_name = b.song_name,
    artist_name = b.artist_name,
    latest_event_ts = b.event_ts,
    latest_event_id = b.event_id
WHEN NOT MATCHED THEN INSERT (song_id, song_name, artist_name, latest_event_ts, latest_event_id)
    VALUES (b.song_id, b.song_name, b.artist_name, b.event_ts, b.event_id)

-- silver.song_names. Grain: one row per song_id. The name and artist a song is shown with: those of
-- its latest event (by event_ts, then event_id), so a renamed song shows its current name and the
-- song-level gold models never split one song_id over two names. Rebuilt in full on every run.
CREATE OR REPLACE TABLE silver.song_names AS
SELECT song_id, song_name, artist_name
FROM silver.listening_events
QUALIFY ROW_NUMBER() OVER (PARTITION BY song_id ORDER BY event_ts DESC, event_id DESC) = 1

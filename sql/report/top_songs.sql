-- The report's top_songs section: most played first.
SELECT song_id, song_name, artist_name, total_plays, total_skips
FROM gold.top_songs
ORDER BY total_plays DESC, song_id

-- The report's skip_rate_by_song section: most skipped first, songs with no plays last.
SELECT song_id, song_name, artist_name, total_plays, total_skips, skip_rate
FROM gold.skip_rate_by_song
ORDER BY skip_rate DESC NULLS LAST, song_id

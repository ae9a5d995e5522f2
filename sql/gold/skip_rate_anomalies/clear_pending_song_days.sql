-- The pending song days are rescored.
DELETE FROM silver.pending_song_days

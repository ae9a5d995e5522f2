-- Full refresh only: rebuilt from all of silver.
DROP TABLE IF EXISTS silver.pending_song_days

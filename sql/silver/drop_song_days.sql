-- Full refresh only: rebuilt from all of silver.
DROP TABLE IF EXISTS silver.song_days

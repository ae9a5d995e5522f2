-- Full refresh only: rebuilt from all of silver.
DROP TABLE IF EXISTS gold.listening_sessions

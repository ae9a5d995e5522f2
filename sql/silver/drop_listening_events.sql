-- Full refresh only: silver is rebuilt from all of bronze.
DROP TABLE IF EXISTS silver.listening_events

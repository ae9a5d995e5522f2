-- Full refresh only: silver is rebuilt from all of bronze.
DROP TABLE IF EXISTS silver.rejected_events

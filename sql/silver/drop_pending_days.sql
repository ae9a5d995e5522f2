-- Full refresh only: every day becomes pending again as silver is rebuilt from all of bronze.
DROP TABLE IF EXISTS silver.pending_days

-- Full refresh only: silver is rebuilt from all of bronze.
DROP TABLE IF EXISTS silver.batch_rejects

-- Full refresh only: every load is claimed again as silver is rebuilt from all of bronze.
DROP TABLE IF EXISTS silver.batch_loads

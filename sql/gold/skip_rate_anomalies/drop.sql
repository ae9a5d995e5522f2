-- Full refresh only: rebuilt from all of silver.
DROP TABLE IF EXISTS gold.skip_rate_anomalies

-- The step's scratch is done with.
DELETE FROM silver.anomaly_candidates

-- Records the UTC days this run's accepted events fall on, for the day-grained gold models.
INSERT INTO silver.pending_days (event_day)
SELECT DISTINCT event_day
FROM silver.bronze_batch
WHERE reject_reason IS NULL

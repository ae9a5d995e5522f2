-- Records the UTC days this batch's accepted events fall on, for the day-grained gold models (a
-- late event makes its old day pending). Bound: batch id.
INSERT INTO silver.pending_days (event_day)
SELECT DISTINCT event_day
FROM silver.batch_events
WHERE batch_id = ?

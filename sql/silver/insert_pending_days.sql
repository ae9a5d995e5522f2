-- Records the UTC days this batch's accepted events fall on, for the day-grained gold models: the
-- silver rows of the loads it claimed (a late event makes its old day pending). Bound: batch id.
INSERT INTO silver.pending_days (event_day)
SELECT DISTINCT s.event_day
FROM silver.listening_events AS s
WHERE s.load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)

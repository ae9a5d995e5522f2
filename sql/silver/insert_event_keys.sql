-- The keys of this batch's accepted rows, for the next batches' duplicate checks. Bound: batch id.
INSERT INTO silver.event_keys (event_hash, event_day)
SELECT HASH(event_id), event_day
FROM silver.batch_events
WHERE batch_id = ?

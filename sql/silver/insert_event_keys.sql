-- The keys of this batch's accepted rows (see create_event_keys.sql), for the next batches'
-- duplicate checks. Bound: batch id.
INSERT INTO silver.event_keys (event_key, event_day)
SELECT CAST(HASH(event_id) % 4611686018427387904 AS BIGINT), event_day
FROM silver.listening_events
WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)

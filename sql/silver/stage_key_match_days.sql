-- The days on which a key of this batch's bronze rows (see create_event_keys.sql) matches an event
-- already in silver: usually none. Staged in a table of its own so that the duplicate check after
-- it reads no silver at all when there is none (a join to an empty table is not scanned, while one
-- to an empty subquery may be). Bound: the batch id.
INSERT INTO silver.key_match_days (event_day)
SELECT DISTINCT k.event_day
FROM silver.event_keys AS k
WHERE k.event_key IN (
    SELECT CAST(HASH(b.event_id) % 4611686018427387904 AS BIGINT)
    FROM bronze.listening_events AS b
    WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
)

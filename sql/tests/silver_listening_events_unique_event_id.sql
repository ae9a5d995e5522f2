-- Fails on: an event_id of this batch held by more than one silver row. Through the key: the
-- batch's hashes are looked up in silver.event_keys, and only ids whose hash is there more than
-- once are counted in silver, on the days those keys name (a hash collision is then dropped by
-- counting the ids themselves). Bound: the batch id.
WITH batch_ids AS (
    SELECT event_id, HASH(event_id) AS event_hash
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
repeated_keys AS (
    SELECT k.event_hash, k.event_day
    FROM silver.event_keys AS k
    WHERE k.event_hash IN (
        SELECT event_hash
        FROM silver.event_keys
        WHERE event_hash IN (SELECT event_hash FROM batch_ids)
        GROUP BY event_hash
        HAVING COUNT(*) > 1
    )
)
SELECT s.event_id, COUNT(*) AS copies
FROM silver.listening_events AS s
WHERE s.event_day IN (SELECT event_day FROM repeated_keys)
  AND s.event_id IN (
      SELECT b.event_id FROM batch_ids AS b WHERE b.event_hash IN (SELECT event_hash FROM repeated_keys)
  )
GROUP BY s.event_id
HAVING COUNT(*) > 1

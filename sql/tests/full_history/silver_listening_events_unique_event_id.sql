-- Fails on: an event_id held by more than one silver row.
-- Two steps, still exact: copies of an event_id share its HASH, so grouping the 64-bit hashes
-- finds every repeated id among a few suspects (and hash collisions, which the second grouping,
-- on the ids themselves, drops). Grouping all of silver by a number is cheaper than grouping it by
-- a 36-character string.
WITH suspect_hashes AS (
    SELECT HASH(event_id) AS event_hash
    FROM silver.listening_events
    GROUP BY HASH(event_id)
    HAVING COUNT(*) > 1
)
SELECT event_id, COUNT(*) AS copies
FROM silver.listening_events
WHERE HASH(event_id) IN (SELECT event_hash FROM suspect_hashes)
GROUP BY event_id
HAVING COUNT(*) > 1

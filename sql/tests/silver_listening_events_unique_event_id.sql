-- Fails on: an event_id of this batch held by more than one silver row on its day. Through the key
-- (see silver/create_event_keys.sql): the batch's keys are looked up in silver.event_keys on the
-- batch's days, and only ids whose key is there more than once are counted in silver (a key
-- collision is then dropped by counting the ids themselves). A copy of an event has its day; an id
-- reused on another day is refused by silver (silver/stage_batch_rejects.sql looks it up in every
-- key), and tests/full_history/silver_listening_events_unique_event_id.sql counts every id. Bound:
-- the batch id.
WITH batch_keys AS (
    SELECT event_id, event_day, CAST(HASH(event_id) % 4611686018427387904 AS BIGINT) AS event_key
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
repeated_keys AS (
    SELECT k.event_key, k.event_day
    FROM silver.event_keys AS k
    WHERE k.event_day IN (SELECT event_day FROM batch_keys)
      AND k.event_key IN (SELECT event_key FROM batch_keys)
    GROUP BY k.event_key, k.event_day
    HAVING COUNT(*) > 1
)
-- Silver is read only on the days of repeated keys: joined to them, so that no repeated key (the
-- usual case) reads none of it.
SELECT s.event_id, COUNT(*) AS copies
FROM silver.listening_events AS s
INNER JOIN (SELECT DISTINCT event_day FROM repeated_keys) AS d ON d.event_day = s.event_day
WHERE s.event_id IN (
    SELECT b.event_id FROM batch_keys AS b WHERE b.event_key IN (SELECT event_key FROM repeated_keys)
)
GROUP BY s.event_id
HAVING COUNT(*) > 1

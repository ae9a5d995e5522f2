-- Records the UTC days this run's accepted events fall on, for the day-grained gold models. Runs
-- after silver/insert_listening_events.sql in the same transaction: the rows silver now holds past
-- the watermark, and the accepted rows at the watermark instant that silver.bronze_batch lists,
-- are exactly this run's.
INSERT INTO silver.pending_days (event_day)
SELECT s.event_day
FROM silver.listening_events AS s
WHERE s.loaded_at > (SELECT processed_through FROM silver.bronze_batch_bounds)
UNION
SELECT s.event_day
FROM silver.listening_events AS s
INNER JOIN silver.bronze_batch AS k
    ON k.event_id = s.event_id AND k.source_file = s.source_file AND k.loaded_at = s.loaded_at
WHERE k.reject_reason IS NULL
  AND s.loaded_at = (SELECT processed_through FROM silver.bronze_batch_bounds)

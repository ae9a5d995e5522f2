-- The unfolded batches' events without a session_id join silver.unsessioned_events.
INSERT INTO silver.unsessioned_events (user_id, event_id, event_ts, event_type)
SELECT e.user_id, e.event_id, e.event_ts, e.event_type
FROM silver.listening_events AS e
WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
  AND e.session_id IS NULL

-- The start days of the regrouped session-less sessions, after regrouping: a session starts at one
-- of its user's session-less events, so those events' days hold every such start day (the other
-- days among them are recomputed unchanged). Reads the narrow silver.unsessioned_events, not the
-- sessions.
INSERT INTO silver.pending_session_days (start_day)
SELECT DISTINCT CAST(x.event_ts AS DATE)
FROM silver.unsessioned_events AS x
WHERE x.user_id IN (
    SELECT e.user_id
    FROM silver.listening_events AS e
    WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
      AND e.session_id IS NULL
)

-- The start days of the sessions the unfolded batches' events belong to: their sessions with a
-- session_id, and every session-less session of a user with new session-less events. Run before
-- the sessions change and again after, so both a session's old and its new start day are
-- recomputed.
INSERT INTO silver.pending_session_days (start_day)
SELECT DISTINCT s.start_day
FROM silver.sessions AS s
INNER JOIN (
    SELECT DISTINCT e.user_id, e.session_id
    FROM silver.listening_events AS e
    WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
) AS n ON n.user_id = s.user_id AND n.session_id IS NOT DISTINCT FROM s.session_id

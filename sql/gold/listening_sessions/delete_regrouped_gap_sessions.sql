-- The session-less sessions of the users with new session-less events go: a new event can extend
-- one, start one, or join two (it falls within 30 minutes of both). insert_regrouped_gap_sessions.sql
-- groups those users' session-less events again.
DELETE FROM silver.sessions
WHERE session_id IS NULL
  AND user_id IN (
      SELECT e.user_id
      FROM silver.listening_events AS e
      WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
        AND e.session_id IS NULL
  )

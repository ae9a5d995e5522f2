-- The start days the unfolded batches' events change, staged before the sessions change: each
-- touched session's start day now and after this batch (its start moves earlier when a new event
-- comes before it), a new session's own, and every start day of the session-less sessions of a user
-- with new session-less events (they are regrouped). One read of silver.sessions for all of them.
INSERT INTO silver.pending_session_days (start_day)
WITH touched AS (
    SELECT e.user_id, e.session_id, MIN(e.event_ts) AS first_new_ts
    FROM silver.listening_events AS e
    WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
    GROUP BY e.user_id, e.session_id
),
days AS (
    SELECT
        s.start_day AS before_day,
        CASE
            WHEN n.session_id IS NULL THEN NULL
            ELSE CAST(LEAST(COALESCE(s.started_at, n.first_new_ts), n.first_new_ts) AS DATE)
        END AS after_day
    FROM touched AS n
    LEFT JOIN silver.sessions AS s ON s.user_id = n.user_id AND s.session_id IS NOT DISTINCT FROM n.session_id
)
SELECT before_day FROM days WHERE before_day IS NOT NULL
UNION
SELECT after_day FROM days WHERE after_day IS NOT NULL

-- The session-less events of the users with new ones, grouped into sessions again: per user, in
-- time order, an event more than 30 minutes after the one before starts a new session.
INSERT INTO silver.sessions (
    user_id, session_id, started_at, ended_at, start_day, events, plays, skips, last_event_id, last_event_type
)
WITH ordered AS (
    SELECT
        x.user_id,
        x.event_id,
        x.event_ts,
        x.event_type,
        LAG(x.event_ts) OVER (PARTITION BY x.user_id ORDER BY x.event_ts, x.event_id) AS previous_ts
    FROM silver.unsessioned_events AS x
    WHERE x.user_id IN (
        SELECT e.user_id
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
          AND e.session_id IS NULL
    )
),
numbered AS (
    SELECT
        user_id,
        event_id,
        event_ts,
        event_type,
        SUM(
            CASE
                WHEN previous_ts IS NULL OR DATEDIFF('millisecond', previous_ts, event_ts) > 1800000 THEN 1
                ELSE 0
            END
        ) OVER (PARTITION BY user_id ORDER BY event_ts, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS session_number
    FROM ordered
),
ranked AS (
    SELECT
        user_id,
        session_number,
        event_id,
        event_ts,
        event_type,
        ROW_NUMBER() OVER (
            PARTITION BY user_id, session_number ORDER BY event_ts DESC, event_id DESC
        ) AS from_last
    FROM numbered
)
SELECT
    user_id,
    CAST(NULL AS VARCHAR) AS session_id,
    MIN(event_ts) AS started_at,
    MAX(event_ts) AS ended_at,
    CAST(MIN(event_ts) AS DATE) AS start_day,
    COUNT(*) AS events,
    COUNT_IF(event_type = 'play') AS plays,
    COUNT_IF(event_type = 'skip') AS skips,
    MAX(CASE WHEN from_last = 1 THEN event_id END) AS last_event_id,
    MAX(CASE WHEN from_last = 1 THEN event_type END) AS last_event_type
FROM ranked
GROUP BY user_id, session_number

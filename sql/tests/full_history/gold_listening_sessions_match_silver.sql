-- Fails on: a UTC day whose gold.listening_sessions row disagrees with sessions formed anew from
-- every event of silver.listening_events (a user's events sharing a session_id; a user's
-- session-less events split where one comes more than 30 minutes after the one before), or a day
-- present on one side only. Guards the folded state, silver.sessions, and its regrouping.
WITH ordered AS (
    SELECT
        user_id,
        event_id,
        event_ts,
        event_type,
        LAG(event_ts) OVER (PARTITION BY user_id ORDER BY event_ts, event_id) AS previous_ts
    FROM silver.listening_events
    WHERE session_id IS NULL
),
gap_sessions AS (
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
session_events AS (
    SELECT user_id, session_id, 0 AS session_number, event_id, event_ts, event_type
    FROM silver.listening_events
    WHERE session_id IS NOT NULL
    UNION ALL
    SELECT user_id, CAST(NULL AS VARCHAR) AS session_id, session_number, event_id, event_ts, event_type
    FROM gap_sessions
),
ranked AS (
    SELECT
        user_id,
        session_id,
        session_number,
        event_ts,
        event_type,
        ROW_NUMBER() OVER (
            PARTITION BY user_id, session_id, session_number ORDER BY event_ts DESC, event_id DESC
        ) AS from_last
    FROM session_events
),
sessions AS (
    SELECT
        CAST(MIN(event_ts) AS DATE) AS start_day,
        COUNT(*) AS events,
        DATEDIFF('millisecond', MIN(event_ts), MAX(event_ts)) AS session_ms,
        MAX(CASE WHEN from_last = 1 AND event_type = 'skip' THEN 1 ELSE 0 END) AS ends_in_skip
    FROM ranked
    GROUP BY user_id, session_id, session_number
),
fresh AS (
    SELECT
        start_day AS day,
        COUNT(*) AS sessions,
        SUM(events) AS events,
        SUM(session_ms) AS session_ms,
        SUM(ends_in_skip) AS ending_in_skip
    FROM sessions
    GROUP BY start_day
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.sessions AS expected_sessions,
    g.sessions AS sessions_in_gold,
    f.events AS expected_events,
    g.avg_events_per_session * g.sessions AS events_in_gold
FROM fresh AS f
FULL OUTER JOIN gold.listening_sessions AS g ON g.day = f.day
WHERE f.day IS NULL
   OR g.day IS NULL
   OR f.sessions <> g.sessions
   OR ABS(f.events - g.avg_events_per_session * g.sessions) > 1e-6 * f.events
   OR ABS(f.session_ms - g.avg_session_minutes * 60000 * g.sessions) > 1e-6 * f.session_ms + 1e-6
   OR ABS(f.ending_in_skip - g.sessions_ending_in_skip_pct * g.sessions / 100) > 1e-6 * f.sessions

-- gold.user_retention. Grain: one row per user. Rebuilt in full: a user's first day moves when a
-- late event arrives, so any new event can change any user's row.
CREATE OR REPLACE TABLE gold.user_retention AS
SELECT
    user_id,
    COUNT(DISTINCT event_day) AS active_days,
    MIN(event_day) AS first_seen,
    MAX(event_day) AS last_seen
FROM silver.listening_events
GROUP BY user_id

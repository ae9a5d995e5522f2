-- Fails on: a day this batch touched whose gold.daily_active_users differs from a fresh count over
-- silver, or is present on one side only. Bound: the batch id.
WITH batch_days AS (
    SELECT DISTINCT event_day
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
fresh AS (
    SELECT event_day AS day, COUNT(DISTINCT user_id) AS daily_active_users
    FROM silver.listening_events
    WHERE event_day IN (SELECT event_day FROM batch_days)
    GROUP BY event_day
),
in_gold AS (
    SELECT day, daily_active_users
    FROM gold.daily_active_users
    WHERE day IN (SELECT event_day FROM batch_days)
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.daily_active_users AS expected,
    g.daily_active_users AS in_gold
FROM fresh AS f
FULL OUTER JOIN in_gold AS g ON g.day = f.day
WHERE f.day IS NULL OR g.day IS NULL OR f.daily_active_users <> g.daily_active_users

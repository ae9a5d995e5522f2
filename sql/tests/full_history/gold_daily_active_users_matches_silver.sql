-- Fails on: a day whose gold.daily_active_users differs from a fresh count over silver, or a day
-- present on one side only. Guards the incremental (affected days only) maintenance.
WITH fresh AS (
    SELECT event_day AS day, COUNT(DISTINCT user_id) AS daily_active_users
    FROM silver.listening_events
    GROUP BY event_day
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.daily_active_users AS expected,
    g.daily_active_users AS in_gold
FROM fresh AS f
FULL OUTER JOIN gold.daily_active_users AS g ON g.day = f.day
WHERE f.day IS NULL OR g.day IS NULL OR f.daily_active_users <> g.daily_active_users

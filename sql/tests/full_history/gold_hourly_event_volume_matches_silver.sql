-- Fails on: an hour whose gold.hourly_event_volume differs from a fresh count over silver, is
-- present on one side only, or whose event types do not add up to its events.
WITH fresh AS (
    SELECT DATE_TRUNC('HOUR', event_ts) AS hour, COUNT(*) AS events, COUNT(DISTINCT user_id) AS unique_users
    FROM silver.listening_events
    GROUP BY DATE_TRUNC('HOUR', event_ts)
)
SELECT
    COALESCE(f.hour, g.hour) AS hour,
    f.events AS expected_events,
    g.events AS events_in_gold,
    f.unique_users AS expected_unique_users,
    g.unique_users AS unique_users_in_gold
FROM fresh AS f
FULL OUTER JOIN gold.hourly_event_volume AS g ON g.hour = f.hour
WHERE f.hour IS NULL
   OR g.hour IS NULL
   OR f.events <> g.events
   OR f.unique_users <> g.unique_users
   OR g.plays + g.pauses + g.skips + g.playlist_adds <> g.events

-- Fails on: an hour of a day this batch touched whose gold.hourly_event_volume differs from a
-- fresh count over silver, is present on one side only, or whose event types do not add up to its
-- events. Every ? is the batch id.
WITH batch_days AS (
    SELECT DISTINCT event_day
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
fresh AS (
    SELECT DATE_TRUNC('HOUR', event_ts) AS hour, COUNT(*) AS events, COUNT(DISTINCT user_id) AS unique_users
    FROM silver.listening_events
    WHERE event_day IN (SELECT event_day FROM batch_days)
    GROUP BY DATE_TRUNC('HOUR', event_ts)
),
in_gold AS (
    SELECT hour, events, plays, pauses, skips, playlist_adds, unique_users
    FROM gold.hourly_event_volume
    WHERE CAST(hour AS DATE) IN (SELECT event_day FROM batch_days)
)
SELECT
    COALESCE(f.hour, g.hour) AS hour,
    f.events AS expected_events,
    g.events AS events_in_gold,
    f.unique_users AS expected_unique_users,
    g.unique_users AS unique_users_in_gold
FROM fresh AS f
FULL OUTER JOIN in_gold AS g ON g.hour = f.hour
WHERE f.hour IS NULL
   OR g.hour IS NULL
   OR f.events <> g.events
   OR f.unique_users <> g.unique_users
   OR g.plays + g.pauses + g.skips + g.playlist_adds <> g.events

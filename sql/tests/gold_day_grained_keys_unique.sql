-- Fails on: a repeated key in a day-grained gold model on a day this batch touched (a day rebuilt
-- without its old rows removed). Every ? is the batch id.
WITH batch_days AS (
    SELECT DISTINCT event_day
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
)
SELECT 'daily_active_users' AS model, CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.daily_active_users
WHERE day IN (SELECT event_day FROM batch_days)
GROUP BY day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'country_engagement' AS model, country || ' ' || CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.country_engagement
WHERE day IN (SELECT event_day FROM batch_days)
GROUP BY country, day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'user_engagement' AS model, user_id || ' ' || CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.user_engagement
WHERE day IN (SELECT event_day FROM batch_days)
GROUP BY user_id, day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'active_users' AS model, CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.active_users
WHERE day IN (SELECT event_day FROM batch_days)
GROUP BY day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'hourly_event_volume' AS model, CAST(hour AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.hourly_event_volume
WHERE CAST(hour AS DATE) IN (SELECT event_day FROM batch_days)
GROUP BY hour
HAVING COUNT(*) > 1

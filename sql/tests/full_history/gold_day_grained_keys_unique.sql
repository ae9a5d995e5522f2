-- Fails on: a repeated key in a day-grained gold model (a day rebuilt without its old rows removed).
SELECT 'daily_active_users' AS model, CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.daily_active_users
GROUP BY day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'country_engagement' AS model, country || ' ' || CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.country_engagement
GROUP BY country, day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'user_engagement' AS model, user_id || ' ' || CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.user_engagement
GROUP BY user_id, day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'active_users' AS model, CAST(day AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.active_users
GROUP BY day
HAVING COUNT(*) > 1
UNION ALL
SELECT 'hourly_event_volume' AS model, CAST(hour AS VARCHAR) AS model_key, COUNT(*) AS copies
FROM gold.hourly_event_volume
GROUP BY hour
HAVING COUNT(*) > 1

-- gold.device_usage. Grain: one row per device_type with any event. device_event_pct is the
-- device's percent of all events (0 to 100, unrounded; the rows sum to 100). Rebuilt in full:
-- every new event changes every device's share.
CREATE OR REPLACE TABLE gold.device_usage AS
SELECT
    device_type,
    COUNT(*) AS total_events,
    COUNT(DISTINCT user_id) AS unique_users,
    100 * CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER () AS device_event_pct
FROM silver.listening_events
GROUP BY device_type

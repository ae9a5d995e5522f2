-- Fails on: device percentages that do not add up to 100, or one outside 0 to 100.
SELECT device_type, device_event_pct, total_events
FROM gold.device_usage
WHERE device_event_pct < 0 OR device_event_pct > 100
UNION ALL
SELECT 'all devices' AS device_type, SUM(device_event_pct) AS device_event_pct, SUM(total_events) AS total_events
FROM gold.device_usage
HAVING COUNT(*) > 0 AND ABS(SUM(device_event_pct) - 100) > 1e-6

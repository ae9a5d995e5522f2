-- The report's device_usage section: busiest device first.
SELECT device_type, total_events, unique_users, device_event_pct
FROM gold.device_usage
ORDER BY total_events DESC, device_type

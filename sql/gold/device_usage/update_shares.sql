-- Every device's percent of all events (0 to 100, unrounded; the rows sum to 100): any new event
-- changes every share, and there is one row per device type.
UPDATE gold.device_usage
SET device_event_pct = 100 * CAST(total_events AS DOUBLE) / (SELECT SUM(total_events) FROM gold.device_usage)

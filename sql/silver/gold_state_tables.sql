-- Whether silver.listening_events and silver.gold_state exist, before silver/gold_state_missing.sql
-- reads them.
SELECT
    COUNT(CASE WHEN LOWER(table_name) = 'listening_events' THEN 1 END) AS silver_events,
    COUNT(CASE WHEN LOWER(table_name) = 'gold_state' THEN 1 END) AS gold_state
FROM information_schema.tables
WHERE LOWER(table_schema) = 'silver' AND LOWER(table_name) IN ('listening_events', 'gold_state')

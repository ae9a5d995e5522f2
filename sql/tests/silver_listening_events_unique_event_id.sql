-- Fails on: an event_id held by more than one silver row.
SELECT event_id, COUNT(*) AS copies
FROM silver.listening_events
GROUP BY event_id
HAVING COUNT(*) > 1

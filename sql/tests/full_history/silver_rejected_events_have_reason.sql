-- Fails on: a refused row with no reason to act on.
SELECT event_id, source_file, reason
FROM silver.rejected_events
WHERE reason IS NULL OR TRIM(reason) = ''

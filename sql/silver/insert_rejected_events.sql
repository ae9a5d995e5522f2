-- Appends this run's refused rows, each with its reason, to silver.rejected_events.
INSERT INTO silver.rejected_events (event_id, reason, source_file, loaded_at)
SELECT event_id, reject_reason, source_file, loaded_at
FROM silver.bronze_batch
WHERE reject_reason IS NOT NULL

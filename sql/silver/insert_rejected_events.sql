-- Appends this batch's refused rows, each with its reason, to silver.rejected_events. Bound: batch id.
INSERT INTO silver.rejected_events (event_id, reason, source_file, loaded_at)
SELECT event_id, reject_reason, source_file, loaded_at
FROM silver.batch_rejects
WHERE batch_id = ?

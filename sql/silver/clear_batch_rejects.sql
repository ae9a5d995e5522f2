-- When the batch is done: its refused rows are in silver.rejected_events. Bound: batch id.
DELETE FROM silver.batch_rejects WHERE batch_id = ?

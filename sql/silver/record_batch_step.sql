-- The model's record, in the transaction of its rows. Bound: batch id, model, UTC time.
INSERT INTO silver.batch_steps (batch_id, step, finished_at) VALUES (?, ?, ?)

-- Whether this batch's model already committed (silver.batch_steps). Bound: batch id, model.
SELECT COUNT(*) AS done FROM silver.batch_steps WHERE batch_id = ? AND step = ?

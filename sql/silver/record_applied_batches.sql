-- Run by the transformation runner after a folds-batches model's files, in its transaction: every
-- batch in silver.unfolded_batches that model had not folded, it now has. Bound: the model's name,
-- twice.
INSERT INTO silver.applied_batches (model, batch_id)
SELECT DISTINCT ?, u.batch_id
FROM silver.unfolded_batches AS u
WHERE u.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = ?)

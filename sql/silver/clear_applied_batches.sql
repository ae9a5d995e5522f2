-- With silver.unfolded_batches emptied, no batch is left to fold.
DELETE FROM silver.applied_batches

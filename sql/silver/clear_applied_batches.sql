-- With silver.batch_events emptied, no batch is left to fold.
DELETE FROM silver.applied_batches

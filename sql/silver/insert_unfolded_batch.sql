-- This batch's new rows are for the gold models to fold in. Bound: the batch id.
INSERT INTO silver.unfolded_batches (batch_id)
VALUES (?)

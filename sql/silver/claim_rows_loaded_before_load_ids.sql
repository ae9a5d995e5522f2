-- Full refresh only: bronze rows loaded before load ids existed have none; a full refresh claims
-- them under the name 'before-load-ids' (the batch's statements read a missing load id as that).
-- Incremental batches never do: an earlier version moved them into silver already. Bound: batch id.
INSERT INTO silver.batch_loads (batch_id, load_id)
SELECT ?, 'before-load-ids'

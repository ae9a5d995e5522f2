-- Whether a run has anything to transform: bronze loads no batch has claimed, UTC days still
-- pending in gold, or batches some gold model has not folded (both: a run that failed after silver
-- committed). The state machine's choice after the load, so an hour with nothing new costs one
-- query, not every model.
SELECT
    (SELECT COUNT(*) FROM bronze.loads AS l
     WHERE NOT EXISTS (SELECT 1 FROM silver.batch_loads AS c WHERE c.load_id = l.load_id)) AS unclaimed_loads,
    (SELECT COUNT(*) FROM silver.pending_days) AS pending_days,
    (SELECT COUNT(*) FROM silver.unfolded_batches) AS unfolded_batches

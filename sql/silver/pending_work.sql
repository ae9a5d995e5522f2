-- Whether a run has anything to transform: bronze loads no batch has claimed, UTC days still
-- pending in gold, or batches some gold model has not folded (both: a run that failed after silver
-- committed). The state machine's choice after the load, so an hour with nothing new costs one
-- query, not every model. One row; oldest_pending_load_at is the loaded_at of the oldest load gold
-- does not reflect yet (unclaimed, or claimed by a batch still unfolded; NULL when none), for the
-- SQL runner's GoldLagSeconds. Outer joins rather than correlated subqueries joined by OR, which
-- Snowflake may refuse as an unsupported subquery type.
SELECT
    (SELECT COUNT(*) FROM bronze.loads AS l
     WHERE NOT EXISTS (SELECT 1 FROM silver.batch_loads AS c WHERE c.load_id = l.load_id)) AS unclaimed_loads,
    (SELECT COUNT(*) FROM silver.pending_days) AS pending_days,
    (SELECT COUNT(*) FROM silver.unfolded_batches) AS unfolded_batches,
    (SELECT MIN(l.loaded_at) FROM bronze.loads AS l
     LEFT JOIN silver.batch_loads AS c ON c.load_id = l.load_id
     LEFT JOIN silver.unfolded_batches AS u ON u.batch_id = c.batch_id
     WHERE c.load_id IS NULL OR u.batch_id IS NOT NULL) AS oldest_pending_load_at

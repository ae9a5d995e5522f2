-- The audit's counts, layer by layer, in one row (lambdas/shared/audit/layer-audit.ts explains how
-- they must add up). Rows loaded before load ids existed belong to the 'before-load-ids' claim.
SELECT
    (SELECT COUNT(*) FROM bronze.load_ledger) AS lake_files_loaded,
    (SELECT COALESCE(SUM(rows_in_file), 0) FROM bronze.load_ledger) AS lake_events_loaded,
    (SELECT COUNT(*) FROM bronze.load_rejects) AS load_rejects,
    (SELECT COALESCE(SUM(rows_inserted), 0) FROM bronze.load_ledger) AS bronze_rows_inserted,
    (SELECT COUNT(*) FROM bronze.listening_events) AS bronze_rows,
    (SELECT COUNT(*) FROM bronze.listening_events AS b
     WHERE COALESCE(b.load_id, 'before-load-ids') NOT IN (SELECT c.load_id FROM silver.batch_loads AS c)) AS bronze_rows_pending,
    (SELECT COUNT(*) FROM silver.listening_events) AS silver_rows,
    (SELECT COUNT(*) FROM silver.rejected_events) AS silver_rejects,
    (SELECT COUNT(*) FROM silver.unfolded_batches) AS unfolded_batches,
    (SELECT COUNT(*) FROM silver.pending_days) AS pending_days

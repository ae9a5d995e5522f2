-- The per-run table of earlier versions (silver.bronze_batch, replaced by silver.batch_rejects).
DROP TABLE IF EXISTS silver.bronze_batch

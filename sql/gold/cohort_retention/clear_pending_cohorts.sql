-- The pending cohorts are recomputed.
DELETE FROM silver.pending_cohorts

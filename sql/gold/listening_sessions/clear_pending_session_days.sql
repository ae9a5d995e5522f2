-- The pending start days are recomputed.
DELETE FROM silver.pending_session_days

-- Whether a batch other than this one has claimed loads: then silver holds rows that a table
-- created now would miss. (This batch's own rows may already be in silver when a setup model runs
-- beside silver.listening_events.) Bound: the batch id.
SELECT COUNT(*) AS earlier_claims
FROM (SELECT 1 FROM silver.batch_loads WHERE batch_id <> ? LIMIT 1) AS any_claim

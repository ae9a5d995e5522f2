-- The batch's duplicates are found: empty the scratch table for the next batch.
DELETE FROM silver.key_match_days

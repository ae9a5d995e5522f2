-- The new pairs are folded in: empty the scratch table for the next batch.
DELETE FROM silver.new_user_days

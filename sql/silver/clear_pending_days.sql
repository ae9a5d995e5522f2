-- Runs after every day-grained gold model has rebuilt the pending days: they are done.
DELETE FROM silver.pending_days

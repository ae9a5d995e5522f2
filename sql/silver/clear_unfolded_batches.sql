-- When every model has run: each has folded every batch in silver.unfolded_batches (models run
-- after silver.listening_events, the only writer, and each folds all it has not), so they are done.
DELETE FROM silver.unfolded_batches

-- silver.unfolded_batches. Grain: one row per batch whose new silver rows (those of the loads it
-- claimed, silver.batch_loads) some gold model may not have folded in yet. The folds-batches
-- models read those rows alone, by load id, instead of all of silver; silver.applied_batches says
-- which model has folded which batch. Emptied once every model has run
-- (silver/clear_unfolded_batches.sql); a run that fails halfway leaves its batch for the next run.
CREATE TABLE IF NOT EXISTS silver.unfolded_batches (
    batch_id VARCHAR NOT NULL
)

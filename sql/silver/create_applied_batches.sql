-- silver.applied_batches. Grain: one row per (model, batch) whose new silver rows the model has
-- folded into its tables, written in the same transaction as that model's changes. A model folds
-- the unfolded batches it has no row for, so a run that failed after some models leaves the rest
-- to fold them next time, and none folds a batch twice.
CREATE TABLE IF NOT EXISTS silver.applied_batches (
    model VARCHAR NOT NULL,
    batch_id VARCHAR NOT NULL
)

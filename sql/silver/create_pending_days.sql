-- silver.pending_days. Grain: one row per (UTC day, run that touched it); duplicates are harmless.
-- The days whose day-grained gold rows must be recomputed. Written in the same transaction as the
-- silver rows that touched them and cleared only after every day-grained gold model has rebuilt
-- them, so a run that fails halfway leaves its days for the next run instead of losing them.
CREATE TABLE IF NOT EXISTS silver.pending_days (
    event_day DATE NOT NULL
)

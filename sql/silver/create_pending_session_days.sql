-- silver.pending_session_days. Grain: one row per (UTC day, time it was staged); duplicates are
-- harmless. The start days gold.listening_sessions recomputes: those of the sessions a batch
-- changes, before and after the change (a late event can move a session's start to an earlier
-- day). Written and emptied within that model's transaction.
CREATE TABLE IF NOT EXISTS silver.pending_session_days (
    start_day DATE NOT NULL
)

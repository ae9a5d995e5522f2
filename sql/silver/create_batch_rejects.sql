-- silver.batch_rejects. Grain: one row per bronze row of a batch that silver refuses, with the
-- reason: what silver.insert_listening_events leaves out and silver.insert_rejected_events records.
-- Kept per batch, so no run's rows are replaced by another's; a batch's rows are removed when it
-- finishes (silver/clear_batch_rejects.sql).
CREATE TABLE IF NOT EXISTS silver.batch_rejects (
    batch_id VARCHAR NOT NULL,
    event_id VARCHAR,
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP_NTZ NOT NULL,
    reject_reason VARCHAR NOT NULL
)

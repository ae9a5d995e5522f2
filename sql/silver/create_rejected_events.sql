-- silver.rejected_events. Grain: one row per bronze row that silver refused, with the first reason
-- found. Together with silver.listening_events it accounts for every bronze row.
CREATE TABLE IF NOT EXISTS silver.rejected_events (
    event_id VARCHAR,
    reason VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP_NTZ NOT NULL
)

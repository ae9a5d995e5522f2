-- Grain: one row per lake object loaded. Written in the same transaction as the rows the object
-- brought, so a file is either loaded and recorded, or neither: the loader skips recorded files.
CREATE TABLE IF NOT EXISTS bronze.load_ledger (
    file_key VARCHAR NOT NULL,
    hour_prefix VARCHAR NOT NULL,
    rows_in_file BIGINT NOT NULL,
    rows_inserted BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    -- The load transaction that recorded it (bronze.loads).
    load_id VARCHAR,
    PRIMARY KEY (file_key)
)

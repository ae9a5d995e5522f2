-- Grain: one row per lake object a load run is about to load. The run writes the files it found,
-- then asks the ledger about exactly those (loader/loaded_candidates.sql), before loading and again
-- inside each load transaction: a cost that follows the files found, not the ledger's size. Rows
-- are the run's own (load_run_id) and removed when it ends.
CREATE TABLE IF NOT EXISTS bronze.load_candidates (
    load_run_id VARCHAR NOT NULL,
    file_key VARCHAR NOT NULL
)

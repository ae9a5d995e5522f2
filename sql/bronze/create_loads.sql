-- Grain: one row per committed load transaction, written in that transaction. Its load_id is on
-- every bronze row and ledger entry it wrote; a transformation batch claims loads by id
-- (silver.batch_loads), so a load is transformed once however often a run is retried.
-- run_id is the run that loaded it (the state machine's execution name, or the local command's
-- run); load_id is run_id, '/', and the run's count of loads, so a retried run never reuses one.
CREATE TABLE IF NOT EXISTS bronze.loads (
    load_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    files_loaded BIGINT NOT NULL,
    rows_inserted BIGINT NOT NULL,
    PRIMARY KEY (load_id)
)

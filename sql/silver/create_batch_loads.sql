-- silver.batch_loads. Grain: one row per bronze load (bronze.loads) a batch took into silver. A
-- load is claimed in the same transaction that moves its rows into silver, so every load is
-- either claimed and in silver, or neither: the next batch takes what no batch has claimed. A full
-- refresh drops it, and claims every load again.
CREATE TABLE IF NOT EXISTS silver.batch_loads (
    batch_id VARCHAR NOT NULL,
    load_id VARCHAR NOT NULL
)

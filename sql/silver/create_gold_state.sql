-- silver.gold_state. One row once gold is maintained incrementally from this warehouse's silver:
-- written when silver is created empty (a new warehouse, or a full refresh). A warehouse whose
-- gold was built before, without the state tables, has silver rows and no row here, and must be
-- rebuilt once (silver/gold_state_missing.sql).
CREATE TABLE IF NOT EXISTS silver.gold_state (
    incremental_since TIMESTAMP_NTZ NOT NULL
)

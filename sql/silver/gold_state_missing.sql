-- Whether silver holds rows but gold was not built with the incremental state (an upgrade from a
-- version that rebuilt gold every run): the run must be a full refresh once.
SELECT
    (SELECT COUNT(*) FROM silver.gold_state) AS state_rows,
    (SELECT COUNT(*) FROM (SELECT 1 FROM silver.listening_events LIMIT 1) AS any_row) AS silver_rows

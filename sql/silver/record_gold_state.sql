-- Marks gold incrementally maintained, when silver is empty: a new warehouse or a full refresh.
INSERT INTO silver.gold_state (incremental_since)
SELECT CAST(CURRENT_TIMESTAMP AS TIMESTAMP_NTZ)
WHERE NOT EXISTS (SELECT 1 FROM silver.gold_state)
  AND NOT EXISTS (SELECT 1 FROM silver.listening_events)

-- Rows that do not trace from bronze to silver: a silver or rejected row with no bronze row (added
-- behind the pipeline, or its bronze row deleted), and a bronze row a batch claimed that is in
-- neither silver nor silver.rejected_events (lost). Rows are matched on (event_id, source_file).
SELECT 'silver row without a bronze row' AS problem, s.event_id, s.source_file
FROM silver.listening_events AS s
WHERE NOT EXISTS (
    SELECT 1 FROM bronze.listening_events AS b WHERE b.event_id = s.event_id AND b.source_file = s.source_file
)
UNION ALL
SELECT 'rejected row without a bronze row' AS problem, r.event_id, r.source_file
FROM silver.rejected_events AS r
WHERE NOT EXISTS (
    SELECT 1 FROM bronze.listening_events AS b WHERE b.event_id = r.event_id AND b.source_file = r.source_file
)
UNION ALL
SELECT 'bronze row in neither silver nor rejected_events' AS problem, b.event_id, b.source_file
FROM bronze.listening_events AS b
WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT c.load_id FROM silver.batch_loads AS c)
  AND NOT EXISTS (
        SELECT 1 FROM silver.listening_events AS s WHERE s.event_id = b.event_id AND s.source_file = b.source_file
    )
  AND NOT EXISTS (
        SELECT 1 FROM silver.rejected_events AS r WHERE r.event_id = b.event_id AND r.source_file = b.source_file
    )
ORDER BY problem, event_id, source_file

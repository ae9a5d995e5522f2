-- Fails on: a row this batch refused with no reason to act on. Bound: the batch id.
SELECT r.event_id, r.source_file, r.reason
FROM silver.rejected_events AS r
WHERE (r.reason IS NULL OR TRIM(r.reason) = '')
  AND EXISTS (
      SELECT 1
      FROM bronze.listening_events AS b
      WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
        AND b.source_file = r.source_file AND b.loaded_at = r.loaded_at
  )

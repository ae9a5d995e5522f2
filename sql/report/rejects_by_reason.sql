-- The dashboard's health panel: rows refused on the way into the warehouse, by reason. `bronze` are
-- lake lines the loader refused (bronze.load_rejects); `silver` are bronze rows the transformation
-- refused (silver.rejected_events). Records the consumer refused are in the lake's quarantine/.
SELECT 'bronze' AS layer, reason, COUNT(*) AS row_count
FROM bronze.load_rejects
GROUP BY reason
UNION ALL
SELECT 'silver' AS layer, reason, COUNT(*) AS row_count
FROM silver.rejected_events
GROUP BY reason
ORDER BY layer, row_count DESC, reason

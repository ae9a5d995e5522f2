-- Snowflake path, after COPY: the first staged line with no event_id, if any. COPY stages it (the
-- staging column allows NULL), but bronze's event_id is NOT NULL, so the MERGE would fail naming
-- no file; the stager reads that file line by line instead, and the contract validator keeps the
-- line with its reason, as the DuckDB path does.
SELECT source_file, MIN(line_number) AS line_number
FROM bronze.load_staging
WHERE event_id IS NULL
GROUP BY source_file
ORDER BY source_file
LIMIT 1

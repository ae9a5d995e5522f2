-- DuckDB only: the loaded_at of this load's rows, later than every row bronze holds (the
-- transaction's time, or a microsecond after the newest row if the clock says otherwise). Being
-- unique to the load, it picks out the rows insert_lake_files.sql adds, and the zone maps of
-- bronze's older row groups rule those out without reading them.
SET VARIABLE load_stamp = (
    SELECT GREATEST(CAST(CURRENT_TIMESTAMP AS TIMESTAMP), COALESCE(MAX(loaded_at) + INTERVAL 1 MICROSECOND, CAST(CURRENT_TIMESTAMP AS TIMESTAMP)))
    FROM bronze.listening_events
)

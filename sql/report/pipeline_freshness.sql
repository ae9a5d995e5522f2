-- The dashboard's health panel, one row: per layer, the newest event it holds, when it was last
-- written and how many rows it has. Bronze keeps event times as the consumer's canonical UTC
-- ISO-8601 text, which is fixed width, so the greatest text is the newest time. Gold's newest event
-- is known to the hour (gold.hourly_event_volume), and a transformation run writes silver and gold
-- together, so both take its last step's time.
SELECT
    (SELECT MAX(event_timestamp) FROM bronze.listening_events) AS bronze_newest_event,
    (SELECT MAX(loaded_at) FROM bronze.loads) AS bronze_last_load,
    (SELECT COUNT(*) FROM bronze.listening_events) AS bronze_rows,
    (SELECT MAX(event_ts) FROM silver.listening_events) AS silver_newest_event,
    (SELECT COUNT(*) FROM silver.listening_events) AS silver_rows,
    (SELECT MAX(hour) FROM gold.hourly_event_volume) AS gold_newest_hour,
    (SELECT MAX(finished_at) FROM silver.batch_steps) AS last_transformation

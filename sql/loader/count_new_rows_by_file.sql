-- Per staged file and UTC day, how many rows are events bronze does not have yet (an event_id seen
-- in several files, or several times in one, counts once: for its first file and line). The days
-- are what an incremental transformation must rebuild.
SELECT source_file, SUBSTR(event_timestamp, 1, 10) AS event_day, COUNT(*) AS new_rows
FROM (
    SELECT source_file, event_id, event_timestamp
    FROM bronze.load_staging
    QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY source_file, line_number) = 1
) AS first_sightings
WHERE NOT EXISTS (SELECT 1 FROM bronze.listening_events AS target WHERE target.event_id = first_sightings.event_id)
GROUP BY source_file, SUBSTR(event_timestamp, 1, 10)

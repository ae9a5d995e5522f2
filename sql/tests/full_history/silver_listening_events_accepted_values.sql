-- Fails on: a silver event whose values are outside the v1 contract.
SELECT event_id, schema_version, event_type, device_type, country, event_ts, event_day
FROM silver.listening_events
WHERE schema_version <> 1
   OR event_type NOT IN ('play', 'pause', 'skip', 'add_to_playlist')
   OR device_type NOT IN ('mobile', 'desktop', 'web')
   OR NOT REGEXP_LIKE(country, '[A-Z]{2}')
   OR event_day <> CAST(event_ts AS DATE)

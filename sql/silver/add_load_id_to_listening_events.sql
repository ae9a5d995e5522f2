-- Silver tables created before load ids: the lineage column create_listening_events.sql now has.
ALTER TABLE silver.listening_events ADD COLUMN IF NOT EXISTS load_id VARCHAR

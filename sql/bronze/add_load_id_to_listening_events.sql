-- Warehouses created before load ids: the column create_listening_events.sql now has. Rows loaded
-- before it have no load id; a full refresh of the transformation takes them.
ALTER TABLE bronze.listening_events ADD COLUMN IF NOT EXISTS load_id VARCHAR

-- Warehouses created before load ids: the column create_load_ledger.sql now has.
ALTER TABLE bronze.load_ledger ADD COLUMN IF NOT EXISTS load_id VARCHAR

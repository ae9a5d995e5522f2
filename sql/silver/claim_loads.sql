-- The first statement of silver.listening_events: this batch claims every bronze load no batch has
-- claimed. In the same transaction as the rows it moves, so a load is claimed once and processed
-- once, and a batch retried after its commit claims nothing more (its step is recorded). Bound:
-- the batch id.
INSERT INTO silver.batch_loads (batch_id, load_id)
SELECT ?, l.load_id
FROM bronze.loads AS l
WHERE NOT EXISTS (SELECT 1 FROM silver.batch_loads AS c WHERE c.load_id = l.load_id)

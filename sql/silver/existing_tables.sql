-- The silver and gold tables that exist, as schema.table in lower case: a setup model compares
-- them with the tables it creates (see assertGoldStateCurrent).
SELECT LOWER(table_schema) || '.' || LOWER(table_name) AS qualified_name
FROM information_schema.tables
WHERE LOWER(table_schema) IN ('silver', 'gold')

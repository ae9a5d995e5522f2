-- When the newest manifest the loader has dealt with arrived (UTC, as text both warehouses write as
-- 'YYYY-MM-DD HH:MI:SS[.fff]'): the next listing of arrivals/ starts there, less a grace period.
SELECT CAST(MAX(arrived_at) AS VARCHAR) AS arrived_at FROM bronze.load_arrivals

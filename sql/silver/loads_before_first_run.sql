-- Before the first run has set silver up: every load bronze holds is unclaimed.
SELECT COUNT(*) AS loads FROM bronze.loads

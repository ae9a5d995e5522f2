-- Full refresh only: the incremental state is rebuilt with silver.
DROP TABLE IF EXISTS silver.key_match_days

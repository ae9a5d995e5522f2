-- Full refresh only: the incremental state is rebuilt with silver.
DROP TABLE IF EXISTS silver.new_user_days

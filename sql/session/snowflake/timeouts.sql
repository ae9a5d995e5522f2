-- Snowflake only, run on every connection of a deployed function: a statement that runs away, or
-- waits on a lock held by a load that died, is cancelled by Snowflake itself before Lambda's
-- timeout could kill the function in the middle of a transaction (which would leave the
-- transaction, and its locks, detached for hours). The adapter replaces 111111111 and 222222222 with
-- whole seconds, checked, from SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS and SNOWFLAKE_LOCK_TIMEOUT_SECONDS,
-- which the function's construct derives from its timeout.
ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 111111111, LOCK_TIMEOUT = 222222222

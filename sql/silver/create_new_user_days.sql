-- silver.new_user_days. The (user, day) pairs a batch shows for the first time, while
-- gold.user_retention folds them in; empty outside that model's transaction.
CREATE TABLE IF NOT EXISTS silver.new_user_days (
    user_id VARCHAR NOT NULL,
    event_day DATE NOT NULL
)

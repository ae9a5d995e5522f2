-- silver.batch_steps. Grain: one row per (transformation batch, model) that committed. Written in the
-- same transaction as the model's rows, and read first by every later attempt of that model for
-- that batch: a step retried after its commit (a timeout on the way back, a redriven run) finds
-- its row and changes nothing. A batch is one run: the state machine's execution name, or the
-- local command's run id. Created before any model runs and never dropped, not even by a full
-- refresh, which is a batch of its own.
CREATE TABLE IF NOT EXISTS silver.batch_steps (
    batch_id VARCHAR NOT NULL,
    step VARCHAR NOT NULL,
    finished_at TIMESTAMP_NTZ NOT NULL
)

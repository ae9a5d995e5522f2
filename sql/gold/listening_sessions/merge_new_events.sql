-- The unfolded batches' events with a session_id, merged into their sessions: counts add up, the
-- start moves earlier and the end later, and the last event is the later of the two. A session's
-- events are each counted once: silver holds one row per event_id, and a batch is folded once.
MERGE INTO silver.sessions AS t
USING (
    SELECT
        o.user_id,
        o.session_id,
        MIN(o.event_ts) AS started_at,
        MAX(o.event_ts) AS ended_at,
        COUNT(*) AS events,
        COUNT_IF(o.event_type = 'play') AS plays,
        COUNT_IF(o.event_type = 'skip') AS skips,
        MAX(CASE WHEN o.from_last = 1 THEN o.event_id END) AS last_event_id,
        MAX(CASE WHEN o.from_last = 1 THEN o.event_type END) AS last_event_type
    FROM (
        SELECT
            e.user_id,
            e.session_id,
            e.event_id,
            e.event_ts,
            e.event_type,
            ROW_NUMBER() OVER (
                PARTITION BY e.user_id, e.session_id ORDER BY e.event_ts DESC, e.event_id DESC
            ) AS from_last
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
          AND e.session_id IS NOT NULL
    ) AS o
    GROUP BY o.user_id, o.session_id
) AS b
ON t.user_id = b.user_id AND t.session_id = b.session_id
WHEN MATCHED THEN UPDATE SET
    started_at = LEAST(t.started_at, b.started_at),
    start_day = CAST(LEAST(t.started_at, b.started_at) AS DATE),
    ended_at = GREATEST(t.ended_at, b.ended_at),
    events = t.events + b.events,
    plays = t.plays + b.plays,
    skips = t.skips + b.skips,
    last_event_id = CASE
        WHEN b.ended_at > t.ended_at OR (b.ended_at = t.ended_at AND b.last_event_id > t.last_event_id)
            THEN b.last_event_id
        ELSE t.last_event_id
    END,
    last_event_type = CASE
        WHEN b.ended_at > t.ended_at OR (b.ended_at = t.ended_at AND b.last_event_id > t.last_event_id)
            THEN b.last_event_type
        ELSE t.last_event_type
    END
WHEN NOT MATCHED THEN INSERT (
    user_id, session_id, started_at, ended_at, start_day, events, plays, skips, last_event_id, last_event_type
) VALUES (
    b.user_id, b.session_id, b.started_at, b.ended_at, CAST(b.started_at AS DATE), b.events, b.plays,
    b.skips, b.last_event_id, b.last_event_type
)

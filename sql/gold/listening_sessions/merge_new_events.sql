-- The unfolded batches' events with a session_id, merged into their sessions: counts add up, the
-- start moves earlier and the end later, and the last event is the later of the two. A session's
-- events are each counted once: silver holds one row per event_id, and a batch is folded once.
MERGE INTO silver.sessions AS t
USING (
    WITH new_events AS (
        SELECT e.user_id, e.session_id, e.event_id, e.event_ts, e.event_type
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.listening_sessions'))
          AND e.session_id IS NOT NULL
    ),
    totals AS (
        SELECT
            user_id,
            session_id,
            MIN(event_ts) AS started_at,
            MAX(event_ts) AS ended_at,
            COUNT(*) AS events,
            COUNT_IF(event_type = 'play') AS plays,
            COUNT_IF(event_type = 'skip') AS skips
        FROM new_events
        GROUP BY user_id, session_id
    ),
    -- The last event: of those at the latest time, the greatest event_id (unique, so MAX_BY is
    -- exact). A join and an aggregate, where ranking every event would sort them all.
    last_events AS (
        SELECT n.user_id, n.session_id, MAX(n.event_id) AS last_event_id, MAX_BY(n.event_type, n.event_id) AS last_event_type
        FROM new_events AS n
        INNER JOIN totals AS o ON o.user_id = n.user_id AND o.session_id = n.session_id AND o.ended_at = n.event_ts
        GROUP BY n.user_id, n.session_id
    )
    SELECT
        o.user_id,
        o.session_id,
        o.started_at,
        o.ended_at,
        o.events,
        o.plays,
        o.skips,
        l.last_event_id,
        l.last_event_type
    FROM totals AS o
    INNER JOIN last_events AS l ON l.user_id = o.user_id AND l.session_id = o.session_id
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

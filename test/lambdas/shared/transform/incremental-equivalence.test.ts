import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListeningEvent } from '../../../../lambdas/shared/event-contract/listening-event.js';
import { runTransformation } from '../../../../lambdas/shared/transform/run-transformation.js';
import { loadTransformationManifest } from '../../../../lambdas/shared/transform/transformation-manifest.js';
import {
  type BronzeRow,
  bronzeRowOf,
  insertBronzeRows,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
  withoutSessionIds,
} from './bronze-fixture.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ten days of listening: day-7 retention becomes observable for the first cohorts part-way through. */
const HISTORY = { seed: 71, count: 2_400, users: 30, songs: 8, faultRate: 0, eventsPerSecond: 0.0028 };
/** How often a batch runs: the events that arrived in each such window are one batch. */
const CADENCE_MS = 4 * HOUR_MS;

/** Every table the gold models and their state make, as rows in a fixed order. */
const TABLES = [
  'gold.daily_active_users',
  'gold.country_engagement',
  'gold.user_engagement',
  'gold.user_retention',
  'gold.cohort_retention',
  'gold.top_songs',
  'gold.skip_rate_by_song',
  'gold.device_usage',
  'gold.active_users',
  'gold.hourly_event_volume',
  'gold.listening_sessions',
  'silver.sessions',
  'silver.song_days',
  'silver.song_names',
  'silver.listening_events',
  'silver.rejected_events',
] as const;

/** One event as it reaches the lake: when it arrives, and the file it is in. */
interface Arrival {
  readonly event: ListeningEvent;
  readonly arrivesAtMs: number;
  readonly file: string;
}

/**
 * The history, with what makes incremental maintenance hard:
 * - renamed songs: from the middle of the history on, three songs carry a new name; an event with
 *   the old name arrives late, after the new name (it must not bring the old name back);
 * - late events: every 11th event arrives three days after it happened (so old days, old cohorts
 *   and day-1 and day-7 retention change after they were first computed), and each of four users
 *   gets an event two days before their first one, arriving last (they move to an earlier cohort);
 * - duplicates: every 23rd event is sent again from another file in the next window;
 * - users who come once: three users with events on the fifth day only, a cohort of their own
 *   whose day 1 becomes observable while none of them has a new event;
 * - clients that send no session id: six users' events carry none, so they are grouped into
 *   sessions by the 30-minute gap, and their late events extend, split and join those sessions.
 */
function arrivalsOf(events: readonly ListeningEvent[]): Arrival[] {
  const start = Date.parse(events[0]!.timestamp);
  const middle = start + 5 * DAY_MS;
  const renamed = new Set([...new Set(events.map((event) => event.song_id))].sort().slice(0, 3));
  const named = withoutSessionIds(events, 6).map((event) =>
    renamed.has(event.song_id) && Date.parse(event.timestamp) >= middle
      ? { ...event, song_name: `${event.song_name} (Remastered)` }
      : event,
  );
  const arrivals: Arrival[] = named.map((event, index) => ({
    event,
    arrivesAtMs: Date.parse(event.timestamp) + (index % 11 === 5 ? 3 * DAY_MS : 0),
    file: `lake/${index % 11 === 5 ? 'late' : 'on-time'}`,
  }));
  for (const [index, event] of named.entries())
    if (index % 23 === 7)
      arrivals.push({ event, arrivesAtMs: Date.parse(event.timestamp) + CADENCE_MS, file: 'lake/replayed' });
  const last = Math.max(...arrivals.map((arrival) => arrival.arrivesAtMs));
  const firstOfUser = new Map<string, ListeningEvent>();
  for (const event of named) if (!firstOfUser.has(event.user_id)) firstOfUser.set(event.user_id, event);
  for (const [index, first] of [...firstOfUser.values()].slice(0, 4).entries())
    arrivals.push({
      event: {
        ...first,
        event_id: `00000000-0000-4000-8000-00000000000${index}`,
        timestamp: new Date(Date.parse(first.timestamp) - 2 * DAY_MS).toISOString(),
      },
      arrivesAtMs: last,
      file: 'lake/backfill',
    });
  for (const [index, event] of named
    .filter((e) => Date.parse(e.timestamp) >= start + 4.5 * DAY_MS)
    .slice(0, 6)
    .entries())
    arrivals.push({
      event: {
        ...event,
        event_id: `00000000-0000-4000-8000-0000000001${String(index).padStart(2, '0')}`,
        user_id: `user_once_${index % 3}`,
      },
      arrivesAtMs: Date.parse(event.timestamp),
      file: 'lake/on-time',
    });
  // The old name of a renamed song, on an event before the rename, arriving after it.
  const oldName = events.find((event) => renamed.has(event.song_id) && Date.parse(event.timestamp) < middle)!;
  arrivals.push({
    event: { ...oldName, event_id: '00000000-0000-4000-8000-0000000000ff' },
    arrivesAtMs: last,
    file: 'lake/backfill',
  });
  return arrivals;
}

/** The arrivals in windows of CADENCE_MS, in order: each window's rows are one load. */
function windows(arrivals: readonly Arrival[]): BronzeRow[][] {
  const byWindow = new Map<number, BronzeRow[]>();
  for (const arrival of arrivals) {
    const window = Math.floor(arrival.arrivesAtMs / CADENCE_MS);
    const loadedAt = new Date((window + 1) * CADENCE_MS).toISOString().replace('T', ' ').slice(0, 19);
    const rows = byWindow.get(window) ?? [];
    rows.push(bronzeRowOf(arrival.event, `${arrival.file}/${window}.ndjson.gz`, loadedAt));
    byWindow.set(window, rows);
  }
  return [...byWindow.entries()].sort(([a], [b]) => a - b).map(([, rows]) => rows);
}

async function everyTable(local: TestWarehouse): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    // The state's bookkeeping columns are how it got there, not what it holds.
    const columns =
      table === 'silver.song_names'
        ? 'song_id, song_name, artist_name'
        : table === 'silver.listening_events'
          ? '* EXCLUDE (load_id)'
          : '*';
    tables[table] = await local.warehouse.query(`SELECT ${columns} FROM ${table} ORDER BY ALL`);
  }
  return tables;
}

describe('incremental maintenance of every gold model', () => {
  let incremental: TestWarehouse;
  let rebuilt: TestWarehouse;
  beforeEach(async () => {
    incremental = await openTestWarehouse();
    rebuilt = await openTestWarehouse();
  });
  afterEach(async () => {
    await incremental.dispose();
    await rebuilt.dispose();
  });

  it('GIVEN ten days of events fed in many batches, with late events, duplicates, renamed songs and a run that failed halfway WHEN each batch runs THEN every gold table equals, row by row, one full rebuild of the same bronze', async () => {
    // Prepare
    const batches = windows(arrivalsOf(validGeneratedEvents(HISTORY).events));
    const manifest = loadTransformationManifest();
    // A run that stops after silver and some of the folding models, as a failed step would leave it.
    const failedHalfway = {
      ...manifest,
      models: manifest.models.filter((model) =>
        [
          'silver.setup',
          'gold.setup',
          'silver.listening_events',
          'silver.song_names',
          'gold.top_songs',
          'gold.user_retention',
        ].includes(model.name),
      ),
      tests: [],
    };

    // Act
    for (const [index, rows] of batches.entries()) {
      await insertBronzeRows(incremental.warehouse, rows);
      await runTransformation(incremental.warehouse, {
        batchId: `window-${index}`,
        ...(index === Math.floor(batches.length / 2) ? { manifest: failedHalfway } : {}),
      });
    }
    for (const rows of batches) await insertBronzeRows(rebuilt.warehouse, rows);
    await runTransformation(rebuilt.warehouse, { batchId: 'rebuild', fullRefresh: true, fullChecks: true });
    // The incremental warehouse passes the checks over all of history too.
    await runTransformation(incremental.warehouse, { batchId: 'checks', fullChecks: true });

    // Assess
    expect(batches.length).toBeGreaterThan(50);
    const [moved] = await incremental.warehouse.query<{ late: number | bigint; renamed: number | bigint }>(
      `SELECT
         (SELECT COUNT(*) FROM silver.listening_events WHERE source_file LIKE 'lake/late/%') AS late,
         (SELECT COUNT(*) FROM silver.song_names WHERE song_name LIKE '% (Remastered)') AS renamed`,
    );
    expect(Number(moved?.renamed)).toBe(3);
    expect(Number(moved?.late)).toBeGreaterThan(100);
    const expected = await everyTable(rebuilt);
    const actual = await everyTable(incremental);
    for (const table of TABLES) {
      expect(expected[table]!.length, table).toBeGreaterThan(0);
      expect(actual[table], table).toEqual(expected[table]);
    }
  }, 300_000);
});

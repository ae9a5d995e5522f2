import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SkipRateShift } from '../../../../lambdas/producer/generator/generate-events.js';
import type { ListeningEvent } from '../../../../lambdas/shared/event-contract/listening-event.js';
import { readGoldReport } from '../../../../lambdas/shared/transform/gold-report.js';
import { runTransformation } from '../../../../lambdas/shared/transform/run-transformation.js';
import {
  bronzeRowOf,
  bronzeRowsOf,
  insertBronzeRows,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
} from './bronze-fixture.js';
import { comparable, expectedGold } from './expected-gold.js';

/** About 23 days of listening to 10 songs: every song has 30 plays on most days, so most days are scored. */
const CATALOGUE = { seed: 5, count: 55_000, users: 80, songs: 10 };
const SHIFTED_DAY = '2026-01-20';
const LOADED_AT = '2026-02-01 00:05:00';
const DAY_MS = 86_400_000;

/** The most played song of the untouched catalogue: the one the shift is injected into. */
function mostPlayedSong(events: readonly ListeningEvent[]): string {
  const plays = new Map<string, number>();
  for (const event of events)
    if (event.event_type === 'play') plays.set(event.song_id, (plays.get(event.song_id) ?? 0) + 1);
  return [...plays].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('gold.skip_rate_anomalies', () => {
  let local: TestWarehouse;
  let rebuilt: TestWarehouse;
  beforeEach(async () => {
    local = await openTestWarehouse();
    rebuilt = await openTestWarehouse();
  });
  afterEach(async () => {
    await local.dispose();
    await rebuilt.dispose();
  });

  /** (song, day) pairs the method scores: 30 plays that day, and 7 of the 14 days before with 30 plays. */
  async function scoredPairs(warehouse: TestWarehouse): Promise<number> {
    const [row] = await warehouse.warehouse.query<{ pairs: number | bigint }>(
      `SELECT COUNT(*) AS pairs
       FROM silver.song_days AS d
       WHERE d.plays >= 30
         AND (SELECT COUNT(*) FROM silver.song_days AS h
              WHERE h.song_id = d.song_id AND h.plays >= 30
                AND h.event_day >= d.event_day - 14 AND h.event_day < d.event_day) >= 7`,
    );
    return Number(row?.pairs);
  }

  it('GIVEN an untouched catalogue WHEN transformed THEN no song-day is flagged, though most are scored', async () => {
    // Prepare
    const { events } = validGeneratedEvents(CATALOGUE);
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AT, 'lake/untouched'));

    // Act
    await runTransformation(local.warehouse, { batchId: 'untouched' });

    // Assess
    expect(await scoredPairs(local)).toBeGreaterThan(100);
    expect((await readGoldReport(local.warehouse)).skip_rate_anomalies).toEqual([]);
  });

  it('GIVEN one song skipped at 90% on one day WHEN transformed THEN exactly that song and day is flagged, as computed independently', async () => {
    // Prepare
    const song = mostPlayedSong(validGeneratedEvents(CATALOGUE).events);
    const shift: SkipRateShift = { songId: song, day: SHIFTED_DAY, skipRate: 0.9 };
    const { events } = validGeneratedEvents({ ...CATALOGUE, skipRateShifts: [shift] });
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AT, 'lake/shifted'));

    // Act
    await runTransformation(local.warehouse, { batchId: 'shifted' });
    const found = (await readGoldReport(local.warehouse)).skip_rate_anomalies;

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ day: SHIFTED_DAY, song_id: song });
    expect(found[0]!.skip_rate as number).toBeGreaterThan(0.85);
    expect(found[0]!.baseline_skip_rate as number).toBeLessThan(0.5);
    expect(found[0]!.score as number).toBeGreaterThan(4);
    expect(comparable({ skip_rate_anomalies: found })).toEqual(
      comparable({ skip_rate_anomalies: expectedGold(events).skip_rate_anomalies }),
    );
  });

  it('GIVEN a flagged day WHEN late plays of that song on that day bring its rate back to its baseline THEN the anomaly is gone, as computed independently', async () => {
    // Prepare
    const song = mostPlayedSong(validGeneratedEvents(CATALOGUE).events);
    const { events } = validGeneratedEvents({
      ...CATALOGUE,
      skipRateShifts: [{ songId: song, day: SHIFTED_DAY, skipRate: 0.9 }],
    });
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AT, 'lake/shifted'));
    await runTransformation(local.warehouse, { batchId: 'shifted' });
    const flagged = (await readGoldReport(local.warehouse)).skip_rate_anomalies;
    // Synced late from offline devices: unskipped plays of the song that day, as many as bring its
    // skips per play back to its baseline.
    const onTheDay = events.filter((e) => e.song_id === song && e.timestamp.startsWith(SHIFTED_DAY));
    const plays = onTheDay.filter((e) => e.event_type === 'play');
    const skips = onTheDay.filter((e) => e.event_type === 'skip').length;
    const baseline = flagged[0]!.baseline_skip_rate as number;
    const latePlays = Array.from({ length: Math.round(skips / baseline) - plays.length }, (_, n) => ({
      ...plays[0]!,
      event_id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
    }));

    // Act
    await insertBronzeRows(local.warehouse, bronzeRowsOf(latePlays, LOADED_AT, 'lake/synced-late'));
    await runTransformation(local.warehouse, { batchId: 'synced-late' });

    // Assess
    expect(flagged.map((row) => `${row.day} ${row.song_id}`)).toEqual([`${SHIFTED_DAY} ${song}`]);
    expect((await readGoldReport(local.warehouse)).skip_rate_anomalies).toEqual([]);
    expect(expectedGold([...events, ...latePlays]).skip_rate_anomalies).toEqual([]);
  });

  it('GIVEN the shifted day arriving partly three days late, in daily batches with late and repeated events WHEN each batch runs THEN the anomaly keeps the batch that first found it through later rescoring, and gold equals a full rebuild and the independent values', async () => {
    // Prepare: events arrive at the end of their day; a third of the shifted day's, and every
    // 13th event, three days later; every 17th again the next day.
    const song = mostPlayedSong(validGeneratedEvents(CATALOGUE).events);
    const { events } = validGeneratedEvents({
      ...CATALOGUE,
      skipRateShifts: [{ songId: song, day: SHIFTED_DAY, skipRate: 0.9 }],
    });
    const byArrivalDay = new Map<number, ListeningEvent[]>();
    const arrive = (arrival: number, event: ListeningEvent) =>
      byArrivalDay.set(arrival, [...(byArrivalDay.get(arrival) ?? []), event]);
    for (const [index, event] of events.entries()) {
      const day = Math.floor(Date.parse(event.timestamp) / DAY_MS);
      const late = index % 13 === 4 || (event.timestamp.startsWith(SHIFTED_DAY) && index % 3 === 0);
      arrive(day + (late ? 3 : 0), event);
      // Every 17th event is delivered again the next day: silver keeps it once.
      if (index % 17 === 8) arrive(day + 1, event);
    }
    const batches = [...byArrivalDay].sort(([a], [b]) => a - b);

    // Act
    const firstSeenIn = new Map<string, string>();
    for (const [arrival, arrived] of batches) {
      const loadedAt = new Date((arrival + 1) * DAY_MS).toISOString().replace('T', ' ').slice(0, 19);
      await insertBronzeRows(
        local.warehouse,
        arrived.map((event) => bronzeRowOf(event, `lake/day-${arrival}.ndjson.gz`, loadedAt)),
      );
      await runTransformation(local.warehouse, { batchId: `day-${arrival}` });
      for (const row of await local.warehouse.query<{ song_id: string; day: Date }>(
        'SELECT song_id, day FROM gold.skip_rate_anomalies',
      )) {
        const key = `${row.song_id} ${row.day.toISOString().slice(0, 10)}`;
        if (!firstSeenIn.has(key)) firstSeenIn.set(key, `day-${arrival}`);
      }
      await insertBronzeRows(
        rebuilt.warehouse,
        arrived.map((event) => bronzeRowOf(event, `lake/day-${arrival}.ndjson.gz`, loadedAt)),
      );
    }
    await runTransformation(rebuilt.warehouse, { batchId: 'rebuild', fullRefresh: true });
    const read = (warehouse: TestWarehouse, columns: string) =>
      warehouse.warehouse.query(`SELECT ${columns} FROM gold.skip_rate_anomalies ORDER BY ALL`);

    // Assess
    const shiftedDayNumber = Date.parse(`${SHIFTED_DAY}T00:00:00Z`) / DAY_MS;
    expect(firstSeenIn.get(`${song} ${SHIFTED_DAY}`)).toBeDefined();
    const [anomaly] = await local.warehouse.query<{ found_in_batch: string }>(
      'SELECT found_in_batch FROM gold.skip_rate_anomalies WHERE song_id = ? AND day = CAST(? AS DATE)',
      [song, SHIFTED_DAY],
    );
    expect(anomaly?.found_in_batch).toBe(firstSeenIn.get(`${song} ${SHIFTED_DAY}`));
    expect(anomaly?.found_in_batch).not.toBe(`day-${batches.at(-1)![0]}`);
    expect(Number(anomaly?.found_in_batch.slice('day-'.length))).toBeGreaterThanOrEqual(shiftedDayNumber);
    expect(await read(local, '* EXCLUDE (found_in_batch)')).toEqual(
      await read(rebuilt, '* EXCLUDE (found_in_batch)'),
    );
    expect(await local.warehouse.query('SELECT * FROM silver.song_days ORDER BY ALL')).toEqual(
      await rebuilt.warehouse.query('SELECT * FROM silver.song_days ORDER BY ALL'),
    );
    expect(
      comparable({ skip_rate_anomalies: (await readGoldReport(local.warehouse)).skip_rate_anomalies }),
    ).toEqual(comparable({ skip_rate_anomalies: expectedGold(events).skip_rate_anomalies }));
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import {
  BRONZE_PREFIX,
  checkArrivalManifest,
  hourPartitionPrefix,
  lakeObjectKey,
  offsetRunsOf,
  offsetsOfRuns,
  parseLakeObjectKey,
  QUARANTINE_PREFIX,
} from '../../../../lambdas/shared/lake/lake-layout.js';

describe('lake layout', () => {
  it('GIVEN instants WHEN placed THEN each goes to its UTC date and hour folder', () => {
    expect(hourPartitionPrefix(BRONZE_PREFIX, Date.parse('2026-01-01T09:59:59.999Z'))).toBe(
      'bronze/date=2026-01-01/hour=09/',
    );
    expect(hourPartitionPrefix(BRONZE_PREFIX, Date.parse('2026-01-01T00:30:00+05:30'))).toBe(
      'bronze/date=2025-12-31/hour=19/',
    );
    expect(hourPartitionPrefix(QUARANTINE_PREFIX, Date.parse('2026-02-28T23:00:00Z'))).toBe(
      'quarantine/date=2026-02-28/hour=23/',
    );
  });

  it('GIVEN an offset range WHEN named THEN the name reads back to the same range and sorts by offset', () => {
    const range = { topic: 'spotify-events', partition: 3, firstOffset: 4211, lastOffset: 4299 };
    const key = lakeObjectKey('bronze/date=2026-01-01/hour=09/', range);
    expect(key).toBe(
      'bronze/date=2026-01-01/hour=09/spotify-events+3+00000000000000004211-00000000000000004299.ndjson.gz',
    );
    expect(parseLakeObjectKey(key)).toEqual(range);
    const later = lakeObjectKey('bronze/date=2026-01-01/hour=09/', {
      ...range,
      firstOffset: 10_000,
      lastOffset: 10_001,
    });
    expect([later, key].sort()).toEqual([key, later]);
  });

  it('GIVEN keys this layout did not write WHEN parsed THEN they are not taken for lake objects', () => {
    expect(parseLakeObjectKey('bronze/date=2026-01-01/hour=09/notes.txt')).toBeNull();
    expect(parseLakeObjectKey('bronze/date=2026-01-01/hour=09/spotify-events+3+12-13.ndjson.gz')).toBeNull();
  });
});

describe('an arrival manifest, checked before the audit trusts it', () => {
  const manifest = {
    version: 1,
    arrived_at: '2026-11-30T01:00:00.000Z',
    bronze: ['bronze/date=2026-11-30/hour=00/t+0+00000000000000000003-00000000000000000007.ndjson.gz'],
    quarantine: [],
  };

  it('GIVEN one written before records were listed, and one with them THEN both are read', () => {
    const records = {
      lines: {
        [manifest.bronze[0]!]: [
          [3, 5],
          [7, 7],
        ],
      },
      repeats: [{ topic: 't', partition: 0, offset: 6, first: { partition: 0, offset: 3 } }],
    };

    expect(checkArrivalManifest(JSON.stringify(manifest))).toEqual(manifest);
    expect(checkArrivalManifest(JSON.stringify({ ...manifest, records }))).toEqual({ ...manifest, records });
    expect(offsetsOfRuns(records.lines[manifest.bronze[0]!]! as [number, number][])).toEqual([3, 4, 5, 7]);
    expect(offsetRunsOf([3, 4, 5, 7])).toEqual([
      [3, 5],
      [7, 7],
    ]);
  });

  it.each([
    ['not JSON', '{"version": 1', /^it is not JSON/],
    ['another version', JSON.stringify({ ...manifest, version: 2 }), /^its version is 2, not 1$/],
    ['a bronze list of numbers', JSON.stringify({ ...manifest, bronze: [3] }), /^"bronze" is not a list/],
    [
      'runs that are not [first, last]',
      JSON.stringify({ ...manifest, records: { lines: { k: [[5, 3]] }, repeats: [] } }),
      /^"records" lists offsets of k that are not \[first, last\] runs/,
    ],
    [
      'a repeat without its first record',
      JSON.stringify({
        ...manifest,
        records: { lines: {}, repeats: [{ topic: 't', partition: 0, offset: 6 }] },
      }),
      /^"records" holds a repeat that is not/,
    ],
  ])('GIVEN %s THEN it is refused, saying why', (_name, text, why) => {
    const checked = checkArrivalManifest(text);

    expect('problem' in checked ? checked.problem : 'accepted').toMatch(why);
  });
});

import { describe, expect, it } from 'vitest';
import {
  hourOfBronzeKey,
  readArrivalManifest,
  selectFilesInWindow,
} from '../../../lambdas/loader/lake-file-selection.js';
import { parseBronzeFile } from '../../../lambdas/loader/parse-bronze-file.js';
import { arrivalManifestKey } from '../../../lambdas/shared/lake/lake-layout.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';

const key = (date: string, hour: string, first = 1) =>
  `bronze/date=${date}/hour=${hour}/spotify-events+0+${String(first).padStart(20, '0')}-${String(first + 9).padStart(20, '0')}.ndjson.gz`;

describe('selectFilesInWindow', () => {
  const window = { fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-03T00:00:00Z') };

  it('GIVEN files in the window, outside it and outside the layout WHEN selected THEN only the bronze objects of the window remain, in key order, the hour being written included', () => {
    const listed = [
      key('2026-01-02', '09', 20),
      key('2026-01-02', '10'),
      key('2025-12-31', '23'),
      key('2026-01-03', '00'),
      key('2026-01-01', '05'),
      key('2026-01-02', '09'),
      'bronze/date=2026-01-02/hour=09/notes.txt',
    ];
    expect(selectFilesInWindow(listed, window)).toEqual([
      key('2026-01-01', '05'),
      key('2026-01-02', '09'),
      key('2026-01-02', '09', 20),
      key('2026-01-02', '10'),
    ]);
  });

  it('GIVEN keys WHEN their hour is read THEN it is the folder hour in UTC, and null outside the layout', () => {
    expect(hourOfBronzeKey(key('2026-01-02', '09'))).toBe(Date.parse('2026-01-02T09:00:00Z'));
    expect(hourOfBronzeKey('bronze/date=2026-01-02/hour=09/x.json')).toBeNull();
    expect(hourOfBronzeKey('quarantine/date=2026-01-02/hour=09/a.ndjson.gz')).toBeNull();
  });
});

describe('readArrivalManifest', () => {
  const arrivedAt = Date.parse('2026-11-30T01:23:45.678Z');
  const manifestKey = arrivalManifestKey(arrivedAt, 'abc123');
  const manifest = (fields: Record<string, unknown>) =>
    JSON.stringify({
      version: 1,
      arrived_at: new Date(arrivedAt).toISOString(),
      bronze: [],
      quarantine: [],
      ...fields,
    });

  it('GIVEN a manifest written by the consumer WHEN read THEN its bronze objects are the files, once each, and its time comes from its name', () => {
    const read = readArrivalManifest(
      manifestKey,
      manifest({ bronze: [key('2025-01-01', '00'), key('2026-11-30', '01'), key('2025-01-01', '00')] }),
    );
    expect(read).toEqual({
      key: manifestKey,
      arrivedAtMs: arrivedAt,
      files: [key('2025-01-01', '00'), key('2026-11-30', '01')],
      refused: [],
    });
  });

  it('GIVEN manifests that cannot be used WHEN read THEN each says why, and a listed key outside the layout is refused by name', () => {
    expect(readArrivalManifest(manifestKey, '{"version":1,').problem).toMatch(/^it is not JSON/);
    expect(readArrivalManifest(manifestKey, manifest({ version: 2 })).problem).toMatch(
      /its version is 2, not 1: a newer consumer wrote it; upgrade the loader/,
    );
    expect(readArrivalManifest(manifestKey, manifest({ bronze: 'x' })).problem).toBe(
      '"bronze" is not a list of object keys',
    );
    expect(readArrivalManifest('arrivals/notes.txt', '{}').problem).toBe(
      'its name is not an arrival manifest name',
    );
    const refused = readArrivalManifest(manifestKey, manifest({ bronze: ['quarantine/x.ndjson.gz'] }));
    expect(refused.refused).toEqual([
      {
        key: 'quarantine/x.ndjson.gz',
        reason: `listed by ${manifestKey}, but not a bronze object of the lake layout`,
      },
    ]);
  });
});

describe('parseBronzeFile', () => {
  it('GIVEN a file with valid lines, a bad line and a blank line WHEN parsed THEN events are staged and the rest rejected with reasons and line numbers', () => {
    const text = `${JSON.stringify(aListeningEventRecord())}\n{"broken"\n\n${JSON.stringify(aListeningEventRecord({ event_type: 'skip' }))}\n`;
    const parsed = parseBronzeFile(text);
    expect(parsed.lines).toBe(4);
    expect(parsed.rows.map((row) => row.lineNumber)).toEqual([1, 4]);
    expect(parsed.rejects.map((reject) => [reject.lineNumber, reject.rawLine])).toEqual([
      [2, '{"broken"'],
      [3, ''],
    ]);
    expect(parsed.rejects[0]!.reason).toMatch(/is not valid JSON/);
    expect(parsed.rejects[1]!.reason).toMatch(/is empty/);
  });
});

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { generateEventLines } from '../../../../lambdas/producer/generator/generate-events.js';
import { ISO_3166_ALPHA2_CODES } from '../../../../lambdas/shared/event-contract/iso-3166-alpha2.js';
import { validateListeningEvent } from '../../../../lambdas/shared/event-contract/validate-listening-event.js';
import { aListeningEventRecord, withoutFields } from '../../../support/listening-event-factory.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../../contract/listening-event.v1.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
const schemaAccepts = ajv.compile(schema);

/** Records near every edge of the contract, valid and not. */
function edgeRecords(): unknown[] {
  const valid = aListeningEventRecord();
  return [
    valid,
    withoutFields(valid, 'session_id', 'ms_played'),
    aListeningEventRecord({ session_id: null, ms_played: null }),
    aListeningEventRecord({ event_id: '0B6F3C1E-5D4A-4F7E-9A2B-1C3D5E7F9A0B' }),
    aListeningEventRecord({ timestamp: '2026-01-01T15:00:00.123456+05:30' }),
    aListeningEventRecord({ timestamp: '2026-01-01T09:30:00' }),
    aListeningEventRecord({ timestamp: '2026-02-30T09:30:00Z' }),
    aListeningEventRecord({ timestamp: '1969-12-31T23:59:59Z' }),
    aListeningEventRecord({ timestamp: '2026-01-01 09:30:00Z' }),
    aListeningEventRecord({ country: 'UK' }),
    aListeningEventRecord({ country: 'us' }),
    aListeningEventRecord({ user_id: 'u'.repeat(128) }),
    aListeningEventRecord({ user_id: 'u'.repeat(129) }),
    aListeningEventRecord({ song_name: '🎵'.repeat(512) }),
    aListeningEventRecord({ song_name: '🎵'.repeat(513) }),
    aListeningEventRecord({ artist_name: ' ABBA' }),
    aListeningEventRecord({ artist_name: 'AB\tBA' }),
    aListeningEventRecord({ artist_name: 'Sigur Rós' }),
    aListeningEventRecord({ ms_played: 86_400_000 }),
    aListeningEventRecord({ ms_played: 86_400_001 }),
    aListeningEventRecord({ ms_played: 2.5 }),
    aListeningEventRecord({ schema_version: 2 }),
    aListeningEventRecord({ schema_version: '1' }),
    aListeningEventRecord({ event_type: 'add_to_playlist', device_type: 'web' }),
    aListeningEventRecord({ event_type: 'stop' }),
    aListeningEventRecord({ extra: true }),
    withoutFields(valid, 'timestamp'),
    [valid],
    null,
    'play',
  ];
}

describe('the published JSON Schema and validateListeningEvent', () => {
  it('GIVEN the schema WHEN compiled in strict mode THEN it lists exactly the ISO 3166-1 codes the validator knows', () => {
    expect(new Set(schema.properties.country.enum)).toEqual(ISO_3166_ALPHA2_CODES);
  });

  it('GIVEN records at every edge of the contract WHEN checked by both THEN they agree on each', () => {
    for (const record of edgeRecords()) {
      expect({ record, verdict: schemaAccepts(record) }).toEqual({
        record,
        verdict: validateListeningEvent(record).ok,
      });
    }
  });

  it('GIVEN generated events with every kind of fault WHEN checked by both THEN they agree on each', () => {
    let refused = 0;
    for (const line of generateEventLines({ seed: 11, count: 3_000, faultRate: 0.3 })) {
      let record: unknown;
      try {
        record = JSON.parse(line.text);
      } catch {
        continue; // Not JSON: there is nothing for a JSON Schema to check.
      }
      const verdict = validateListeningEvent(record).ok;
      if (!verdict) refused++;
      expect({ line: line.text, verdict: schemaAccepts(record) }).toEqual({ line: line.text, verdict });
    }
    expect(refused).toBeGreaterThan(100);
  });
});

import { describe, expect, it } from 'vitest';
import { planLakeWrites, type QuarantinedRecord } from '../../../lambdas/consumer/plan-lake-writes.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';

const eventJson = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify(aListeningEventRecord(overrides));
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('planLakeWrites', () => {
  it('GIVEN valid events WHEN planned THEN each goes to the bronze hour of its event time, in canonical form, in offset order', () => {
    // Prepare: offsets out of order, one event with a +05:30 offset that is 04:30 UTC.
    const event = anMskEvent([
      anMskRecord({ offset: 7, value: eventJson({ event_id: uuid(2), timestamp: '2026-01-01T09:15:00Z' }) }),
      anMskRecord({ offset: 5, value: eventJson({ event_id: uuid(1), timestamp: '2026-01-01T09:05:00Z' }) }),
      anMskRecord({
        offset: 6,
        value: eventJson({ event_id: uuid(3), timestamp: '2026-01-01T10:00:00+05:30' }),
      }),
    ]);
    // Act
    const plan = planLakeWrites(event);
    // Assess
    expect(plan).toMatchObject({ recordsIn: 3, valid: 3, quarantined: 0, repeatedInBatch: 0 });
    expect(
      plan.objects.map((object) => [object.hourPrefix, object.entries.map((entry) => entry.offset)]),
    ).toEqual([
      ['bronze/date=2026-01-01/hour=09/', [5, 7]],
      ['bronze/date=2026-01-01/hour=04/', [6]],
    ]);
    const early = JSON.parse(plan.objects[1]!.entries[0]!.line!);
    expect(early.timestamp).toBe('2026-01-01T04:30:00.000Z');
  });

  // The bad inputs the ingestion issue lists, each quarantined with a reason.
  it.each([
    ['not JSON', 'play it again', /is not valid JSON/],
    ['a JSON array', JSON.stringify([aListeningEventRecord()]), /is a JSON array, not an object/],
    [
      'a missing field',
      JSON.stringify({ ...aListeningEventRecord(), user_id: undefined }),
      /user_id is missing/,
    ],
    ['a wrong type', eventJson({ ms_played: '12' }), /ms_played "12" is a string, not a number/],
    ['an unknown event_type', eventJson({ event_type: 'stop' }), /event_type "stop" is not one of/],
    [
      'a garbage timestamp',
      eventJson({ timestamp: 'yesterday' }),
      /timestamp "yesterday" is not an ISO-8601 date-time/,
    ],
    ['an empty value', '', /is empty/],
    [
      'a 1 MB value',
      eventJson({ song_name: 'x'.repeat(1024 * 1024) }),
      /song_name .* is 1048576 characters long/,
    ],
  ])('GIVEN %s WHEN planned THEN the record is quarantined with its raw bytes, place and reason', (_, value, reason) => {
    const record = anMskRecord({ partition: 2, offset: 41, value });
    const plan = planLakeWrites(anMskEvent([record]));
    expect(plan).toMatchObject({ recordsIn: 1, valid: 0, quarantined: 1 });
    expect(plan.objects).toHaveLength(1);
    expect(plan.objects[0]).toMatchObject({
      area: 'quarantine/',
      hourPrefix: 'quarantine/date=2026-01-01/hour=10/',
      partition: 2,
    });
    const quarantined = JSON.parse(plan.objects[0]!.entries[0]!.line!) as QuarantinedRecord;
    expect(quarantined).toMatchObject({
      topic: 'spotify-events',
      partition: 2,
      offset: 41,
      value_base64: record.value,
    });
    expect(Buffer.from(quarantined.value_base64!, 'base64').toString()).toBe(value);
    expect(quarantined.reason).toMatch(reason);
    expect(quarantined.problems.length).toBeGreaterThan(0);
  });

  it('GIVEN a record with a null value and a null key WHEN planned THEN it is quarantined, not dropped', () => {
    const plan = planLakeWrites(anMskEvent([anMskRecord({ value: null, key: null })]));
    const quarantined = JSON.parse(plan.objects[0]!.entries[0]!.line!) as QuarantinedRecord;
    expect(quarantined).toMatchObject({
      key_base64: null,
      value_base64: null,
      reason: expect.stringMatching(/has no value/),
    });
  });

  it('GIVEN bytes that are not UTF-8 WHEN planned THEN the record is quarantined saying so', () => {
    const record = { ...anMskRecord(), value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64') };
    const plan = planLakeWrites(anMskEvent([record]));
    expect(JSON.parse(plan.objects[0]!.entries[0]!.line!).reason).toMatch(/is not valid UTF-8/);
  });

  it('GIVEN a valid record with a null key WHEN planned THEN it is accepted: the key only routes records', () => {
    const plan = planLakeWrites(anMskEvent([anMskRecord({ key: null, value: eventJson() })]));
    expect(plan).toMatchObject({ valid: 1, quarantined: 0 });
  });

  it('GIVEN the same event twice in one batch WHEN planned THEN it is written once and both offsets stay covered', () => {
    const value = eventJson();
    const plan = planLakeWrites(
      anMskEvent([anMskRecord({ offset: 1, value }), anMskRecord({ offset: 2, value })]),
    );
    expect(plan).toMatchObject({ valid: 2, quarantined: 0, repeatedInBatch: 1 });
    expect(plan.objects[0]!.entries).toEqual([
      { offset: 1, line: expect.any(String) },
      { offset: 2, line: null, repeatOf: { partition: 0, offset: 1 } },
    ]);
  });

  it('GIVEN one event_id used for two different events WHEN planned THEN the second is quarantined naming the first', () => {
    const plan = planLakeWrites(
      anMskEvent([
        anMskRecord({ offset: 1, value: eventJson() }),
        anMskRecord({ offset: 2, value: eventJson({ event_type: 'skip' }) }),
      ]),
    );
    expect(plan).toMatchObject({ valid: 1, quarantined: 1 });
    const quarantine = plan.objects.find((object) => object.area === 'quarantine/')!;
    expect(JSON.parse(quarantine.entries[0]!.line!).reason).toMatch(
      /event_id .* is already used in this batch by a different event \(spotify-events-0 offset 1\)/,
    );
  });

  it('GIVEN records of several partitions WHEN planned THEN no object mixes partitions', () => {
    const plan = planLakeWrites(
      anMskEvent([
        anMskRecord({ partition: 0, offset: 1, value: eventJson({ event_id: uuid(1) }) }),
        anMskRecord({ partition: 1, offset: 1, value: eventJson({ event_id: uuid(2) }) }),
      ]),
    );
    expect(plan.objects.map((object) => object.partition).sort()).toEqual([0, 1]);
  });
});

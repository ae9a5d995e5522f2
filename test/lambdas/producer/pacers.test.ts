import { describe, expect, it } from 'vitest';
import { partitionKeyForLine } from '../../../lambdas/producer/event-producer.js';
import { eventTimePacer, fixedRatePacer, unpaced } from '../../../lambdas/producer/pacers.js';

describe('pacers', () => {
  it('GIVEN no pace WHEN asked THEN every line may go at once', () => {
    expect(unpaced.waitFor('{}')).toBeUndefined();
  });

  it('GIVEN a fixed rate of 4/s on a stopped clock WHEN lines are taken THEN the first goes at once and later ones must wait', () => {
    const pacer = fixedRatePacer(4, () => 1_000);
    expect(pacer.waitFor('a')).toBeUndefined();
    expect(pacer.waitFor('b')).toBeInstanceOf(Promise);
  });

  it('GIVEN a fixed rate WHEN the clock has moved past a line’s slot THEN it goes at once: the pacer catches up', () => {
    let now = 0;
    const pacer = fixedRatePacer(10, () => now);
    pacer.waitFor('first');
    now = 5_000;
    for (let i = 0; i < 40; i++) expect(pacer.waitFor('line')).toBeUndefined();
  });

  it('GIVEN event-time pacing WHEN an event is in the past THEN it goes at once, and a future one waits', () => {
    const pacer = eventTimePacer(() => Date.parse('2026-01-01T10:00:00Z'));
    expect(pacer.waitFor('{"timestamp":"2026-01-01T09:59:59.000Z"}')).toBeUndefined();
    expect(pacer.waitFor('{"timestamp":"2026-01-01T10:00:00.000+00:00"}')).toBeUndefined();
    expect(pacer.waitFor('{"timestamp":"2026-01-01T11:00:00.050+01:00"}')).toBeInstanceOf(Promise);
    expect(pacer.waitFor('not json at all')).toBeUndefined();
  });
});

describe('partitionKeyForLine', () => {
  it.each([
    ['{"user_id":"user_000017","song_id":"s"}', 'user_000017'],
    ['{"user_id":"a \\"quoted\\" id"}', 'a \\"quoted\\" id'],
    ['{"song_id":"s"}', null],
    ['garbage', null],
  ])('GIVEN %s WHEN keyed THEN the key is %j', (line, key) => {
    expect(partitionKeyForLine(line)).toBe(key);
  });
});
